"""newsweave's stop-word list is scikit-learn's, word for word."""

from newsweave.stopwords import ENGLISH_STOP_WORDS


def test_stop_words_are_scikit_learns() -> None:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS as SKLEARN

    assert frozenset(SKLEARN) == ENGLISH_STOP_WORDS
    assert len(ENGLISH_STOP_WORDS) == 318
