"""Cleaning and metadata on the seed articles and small real-shaped documents."""

from __future__ import annotations

import re

import pytest

from newsweave.clean import clean, detokenise_ptb, looks_ptb_tokenised
from newsweave.ingest import InputFile, read_file
from newsweave.records import RawDocument
from tests.conftest import SHARED_DATA, seed_path

FURNITURE = (
    "Left Menu",
    "Image Credit",
    "Topics :",
    "First Published",
    "min read",
    "Only the headline and picture",
    "| Updated:",
    "Press Trust of India New Delhi",
    "Amit Shah chairs SCO meet",
)


def cleaned(prefix: str):
    (doc,) = list(read_file(InputFile(seed_path(prefix), "text")))
    return clean(doc)


@pytest.mark.parametrize(
    ("prefix", "published", "rule"),
    [
        ("000", "2020-09-04", "header-line"),
        ("001", "2020-09-04", "header-line"),
        ("002", "2020-09-03", "header-line"),
        ("003", "2020-09-03", "created-line"),
        ("004", "2023-04-28", "header-line"),
    ],
)
def test_seed_publication_dates(prefix: str, published: str, rule: str) -> None:
    article = cleaned(prefix)
    assert article.published == published
    (ev,) = [e for e in article.evidence if e.field == "published"]
    assert ev.rule == rule


@pytest.mark.parametrize(
    ("prefix", "agency", "title"),
    [
        (
            "000",
            "ANI",
            "On India's request, Russia reiterates policy of no arms supply to Pakistan",
        ),
        (
            "003",
            "PTI",
            "Rajnath holds talks with Russian counterpart to bolster defence, "
            "strategic cooperation",
        ),
        ("004", "PTI", "SCO Summit 2023: India, Russia resolve to strengthen defence cooperation"),
    ],
)
def test_seed_agency_and_title(prefix: str, agency: str, title: str) -> None:
    article = cleaned(prefix)
    assert article.agency == agency
    assert article.title == title
    assert not article.text.startswith(title)


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seed_furniture_removed_sentences_kept(prefix: str) -> None:
    article = cleaned(prefix)
    for marker in FURNITURE:
        assert marker not in article.text, marker
    assert "close\n" not in article.text
    raw = seed_path(prefix).read_text(encoding="utf-8")
    # Every long sentence-like line of the original that is not furniture survives.
    for line in raw.splitlines():
        line = re.sub(r"^date \d{4}-\d{2}-\d{2} ", "", line.strip())
        if len(line.split()) > 40:
            assert line[:80] in article.text or line[:80] in " ".join(article.removed)


def test_seed_datelines_and_outlet() -> None:
    assert cleaned("000").dateline == "Moscow"
    assert cleaned("001").dateline == "New Delhi"
    assert cleaned("003").dateline == "Moscow"
    assert cleaned("004").dateline == "New Delhi"
    assert cleaned("004").outlet == "Business Standard"
    # "As ET had reported": the outlet names its own earlier reporting
    seed = cleaned("001")
    assert seed.outlet == "ET"
    assert [e.rule for e in seed.evidence if e.field == "outlet"] == ["self-reference"]


def test_citing_another_outlet_is_not_a_self_reference() -> None:
    from newsweave.clean import SELF_REFERENCE

    assert SELF_REFERENCE.search("As Reuters reported on Monday, talks stalled.") is None
    m = SELF_REFERENCE.search("As The Hindu had earlier reported, the deal was near.")
    assert m is not None and m["outlet"] == "The Hindu"


def test_header_line_text_is_kept_when_it_is_the_article() -> None:
    article = cleaned("002")
    assert article.text.startswith("Union Defence Minister Rajnath Singh on Thursday held talks")


def test_signature_is_removed_and_read() -> None:
    article = cleaned("000")
    assert article.text.endswith("towards the end of this year.")
    assert "(ANI)" in article.removed


def test_ids_are_content_hashes() -> None:
    a, b = cleaned("000"), cleaned("000")
    assert a.id == b.id and len(a.id) == 16
    assert a.id != cleaned("001").id


def test_reuters_style_body_dateline() -> None:
    raw = RawDocument(
        source_path="x.txt",
        text="MOSCOW (Reuters) - Russia said on Thursday it would not supply arms to Pakistan, "
        "officials said after the talks in the Russian capital ended late at night.",
        format="text",
    )
    article = clean(raw)
    assert article.agency == "Reuters"
    assert article.dateline == "Moscow"


def test_structured_fields_rank_first() -> None:
    raw = RawDocument(
        source_path="export.jsonl",
        text="Some body text that is long enough to be an article body for the test here.",
        format="jsonl",
        fields=(
            ("title", "A title"),
            ("url", "https://www.example-news.com/a/b"),
            ("published", "2021-02-03T10:00:00Z"),
        ),
        record_no=3,
    )
    article = clean(raw)
    assert (article.title, article.published, article.outlet) == (
        "A title",
        "2021-02-03",
        "example-news.com",
    )
    assert article.url == "https://www.example-news.com/a/b"


def test_timeline17_folder_date_outlet_and_detokenisation(tmp_path) -> None:
    folder = tmp_path / "bpoil_bbc" / "InputDocs" / "2010-05-24"
    folder.mkdir(parents=True)
    path = folder / "1036.htm.txt"
    path.write_text(
        "Interior Secretary Ken Salazar pledged to `` keep our boot on their neck '' .\n"
        "BP Plc would be accountable , `` civilly '' , he said on a tour of the Gulf .\n"
        "Earlier on Monday , BP pledged $ 500m -LRB- # 346m -RRB- to study the spill 's impact .\n"
    )
    (doc,) = list(read_file(InputFile(path, "text")))
    article = clean(doc)
    assert article.published == "2010-05-24"
    assert article.outlet == "BBC"  # the folder token, spelled as the outlet spells itself
    assert '"keep our boot on their neck"' in article.text
    assert "(£346m)" in article.text and "spill's impact." in article.text


def test_escaped_slash_is_a_slash(tmp_path) -> None:
    """Timeline17 writes "/" as "\\/" (PTB's escape): the text keeps a plain slash, so no
    output shows a backslash (the Markdown brief escaped it again, to "\\\\/")."""
    folder = tmp_path / "bpoil_guardian" / "InputDocs" / "2010-06-02"
    folder.mkdir(parents=True)
    path = folder / "7.htm.txt"
    path.write_text(
        "Crews collected a drum of the crude oil\\/water emulsion , officials said .\n"
        "Deferred output was 80,000 barrels\\/day , or 4 % of the total , BP 's filing says .\n"
        "About 5,000 barrels -LRB- 210,000 gallons\\/795 ,000 liters -RRB- leak a day , or "
        "100,000 barrels -LRB- 4.2 million gallons\\/15 .9 million liters -RRB- at worst .\n"
    )
    (doc,) = list(read_file(InputFile(path, "text")))
    article = clean(doc)
    assert "oil/water emulsion" in article.text and "80,000 barrels/day" in article.text
    # the number the tokeniser split after the slash is whole again
    assert "(210,000 gallons/795,000 liters)" in article.text
    assert "(4.2 million gallons/15.9 million liters)" in article.text
    assert "\\" not in article.text
    # a credit with an escaped slash before a byline is still no headline
    raw = RawDocument(
        source_path="x.txt",
        text="Gulf workers clean oiled birds Reuters\\/Lee Celano By Jane Smith BBC News\n"
        "Volunteers washed more than a hundred pelicans on the coast this week, officials said.",
        format="text",
    )
    assert clean(raw).title is None


def test_ptb_detection_leaves_prose_alone() -> None:
    prose = "He said, in a statement, that it's fine. Then he left, and they stayed."
    assert not looks_ptb_tokenised(prose)
    # one sentence a line, ending " ." : one " , " with " 's " is enough
    short = "As BP 's rivals count the cost , lawsuits grow . \nThey must decide . \nMore . \n"
    assert looks_ptb_tokenised(short)
    assert detokenise_ptb("a -LRB- b -RRB- c") == "a (b) c"
    assert detokenise_ptb("BP says ` top kill ' plug failed .") == "BP says 'top kill' plug failed."


def test_comment_policies_removed_after_detokenising() -> None:
    raw = RawDocument(
        source_path="x/bpoil_reuters/InputDocs/2010-05-24/1.htm.txt",
        text="BP said on Monday , `` we will plug the well '' , officials said .\n"
        "The company 's shares fell , traders said .\n"
        "-LRB- required , but will not be displayed -RRB- CNN welcomes a lively discussion .\n"
        "Views expressed in the comments do not represent those of Reuters .\n",
        format="text",
    )
    article = clean(raw)
    assert article.text == (
        'BP said on Monday, "we will plug the well", officials said.\n'
        "The company's shares fell, traders said."
    )
    assert len(article.removed) == 2


BPOIL_BBC = SHARED_DATA / "timeline17" / "bpoil_bbc" / "InputDocs"
needs_timeline17 = pytest.mark.skipif(not BPOIL_BBC.is_dir(), reason="Timeline17 not present")


def _timeline17(name: str):
    (doc,) = list(read_file(InputFile(BPOIL_BBC / name, "text")))
    return clean(doc)


@needs_timeline17
def test_headline_glued_to_a_byline_becomes_the_title() -> None:
    article = _timeline17("2010-06-10/1927.htm.txt")
    assert article.title == 'UK industry frets about "anti-British" BP backlash'
    assert "Russell Hotten" not in article.text and "BBC News" not in article.text[:200]
    (ev,) = [e for e in article.evidence if e.field == "title"]
    assert ev.rule == "headline-before-byline"


@needs_timeline17
def test_reader_comments_and_stamps_removed() -> None:
    article = _timeline17("2010-06-10/2041.htm.txt")
    assert " wrote:" not in article.text
    assert not re.search(r"\bUK time\b", article.text)
    assert article.text.startswith("Mr Obama's blunt criticism of BP")
    assert any(r.startswith("comment thread") for r in article.removed)


TIMELINE17 = SHARED_DATA / "timeline17"


def _page(topic_file: str):
    (doc,) = list(read_file(InputFile(TIMELINE17 / topic_file, "text")))
    return clean(doc)


@needs_timeline17
def test_washington_post_comment_thread_ends_the_article() -> None:
    # a blog post, its stamp, then 590 kB of reader comments, each closed by "Posted by: …"
    article = _page("Finan_washingtonpost/InputDocs/2008-09-24/42.htm.txt")
    assert article.text.endswith("contributed to this report.")
    assert "Posted by" not in article.text and "Report abuse" not in article.text
    assert len(article.text) < 8_000
    (cut,) = [r for r in article.removed if r.startswith("comment thread")]
    assert "By Web Politics Editor | September 24, 2008; 2:58 PM ET" in cut
    # a labelled claim above the thread stays where it was
    labelled = _page("bpoil_washingtonpost/InputDocs/2010-04-30/1796.htm.txt")
    start = labelled.text.index("The public-private response is using 174,060 feet of boom")
    assert start == 1870 and "Posted by:" not in labelled.text


@needs_timeline17
def test_cnn_comment_thread_ends_the_article() -> None:
    # the Cafferty File: the question, then CNN's line under it, then the readers
    article = _page("EgyptianProtest_cnn/InputDocs/2011-02-03/103.htm.txt")
    assert "at 2:59 pm" not in article.text and "Interested to know" not in article.text
    assert article.text.rstrip().endswith("addiction to foreign oil?")
    # a news story with "Reply" comments below it
    story = _page("LibyaWar_cnn/InputDocs/2011-06-08/138.htm.txt")
    assert "This piece was reprinted with the permission of CFR.org." in story.text
    assert not re.search(r"2011 at \d", story.text)


def test_comment_stamps_need_their_shape() -> None:
    text = (
        "The vote was 52-48 | a narrow margin , officials said on March 3 , 2011 .\n"
        "Posted by the committee on its website , the rules took effect .\n"
        "The talks resumed on June 8 , 2011 at 5:31 pm local time .\n"
    )
    raw = RawDocument(source_path="x/a.txt", text=text, format="text")
    article = clean(raw)
    assert "52-48" in article.text and "5:31 pm local time" in article.text
    assert not any(r.startswith("comment thread") for r in article.removed)
    thread = text + "Good riddance . June 8 , 2011 at 5:40 pm | Reply I agree .\n"
    article = clean(RawDocument(source_path="x/a.txt", text=thread, format="text"))
    assert article.text.endswith("5:31 pm local time .")  # (too short to read as PTB)


@pytest.mark.parametrize(
    ("line", "byline"),
    [
        (
            "By Reeta Chakrabarti Political correspondent, BBC News David Cameron is facing",
            "By Reeta Chakrabarti Political correspondent, BBC News",
        ),
        ("By Joe Lynam, BBC business correspondent BP's shareholders", None),
        ("By Finlo Rohrer BBC News, Washington Some experts believe", None),
        ("By Tarek Osman, Special to CNN Huguette Labelle", None),
        ("By the CNN Wire Staff ElBaradei: Egypt is not stable", None),
        ("By Terri Rupar | June 15, 2009; 12:12 PM ET The vote", None),
        ("By Nic Robertson, CNN Senior International Correspondent Nic Robertson has", None),
        ("By Eddie O'Gorman BBC NI business reporter The company's products", None),
        ("Clare Spencer | 09:51 UK time, Friday, 28 May 2010 Commentators react", None),
    ],
)
def test_bylines_are_cut_out_of_the_first_lines(line: str, byline: str | None) -> None:
    raw = RawDocument(
        source_path="x.txt", text=line + ".\nBP shares fell on Monday.", format="text"
    )
    article = clean(raw)
    assert not article.text.startswith(("By ", "Clare Spencer"))
    if byline:
        assert byline in article.removed


@pytest.mark.parametrize(
    "line",
    [
        "By Friday night, the protesters got what they wanted.",
        "By Sunday August 21, the rebels controlled most of Tripoli.",
        "By the time I met him in 1985 he was the president of the association.",
    ],
)
def test_sentences_opening_with_by_are_kept(line: str) -> None:
    raw = RawDocument(source_path="x.txt", text=line + "\nBP shares fell.", format="text")
    assert clean(raw).text.startswith(line)


def test_slideshow_widget_and_sign_up_clutter_removed() -> None:
    raw = RawDocument(
        source_path="x/bpoil_bbc/InputDocs/2010-06-10/1.htm.txt",
        text="BACK -LCB- current -RCB- of -LCB- total -RCB- NEXT BP is resuming work on a relief "
        "well , officials said .\n"
        "Search , find and watch the politics that affects you Search Democracy Live Find a "
        "representative .\n"
        "Shares , traders said , rose .\n",
        format="text",
    )
    article = clean(raw)
    assert article.text == (
        "BP is resuming work on a relief well, officials said.\nShares, traders said, rose."
    )


@pytest.mark.parametrize(
    ("line", "title", "starts"),
    [
        (
            "Massive dome lowered at site of huge U.S. oil spill ROBERT, Louisiana | Fri May 7, "
            "2010 10:43 am EDT ROBERT, Louisiana (Reuters) - A massive dome was lowered.",
            "Massive dome lowered at site of huge U.S. oil spill",
            "ROBERT, Louisiana (Reuters) - A massive",
        ),
        (
            "NEW YORK, April 30 | Fri Apr 30, 2010 10:43 am EDT NEW YORK, April 30 (Reuters) - "
            "Oil rose on Friday.",
            None,
            "NEW YORK, April 30 (Reuters) - Oil rose",
        ),
        (
            "BP to raise $50 billion for oil spill costs: report Credit: Reuters/Walter Shinn/U. "
            "BP plans to raise money.",
            "BP to raise $50 billion for oil spill costs: report",
            "BP plans to raise",
        ),
        (
            "Mon Jun 28, 2010 12:19 pm EDT (Reuters) - Millions of gallons of oil spilled.",
            None,
            "(Reuters) - Millions of gallons",
        ),
        (
            "BP share price plunges Monday 19 July 2010 09.18 BST Oil sheen is seen near the rig.",
            "BP share price plunges",
            "Oil sheen is seen",
        ),
        (
            "Photograph: Saul Loeb/AFP/Getty Images BP said the cap was holding.",
            None,
            "BP said the cap",
        ),
    ],
)
def test_stamps_and_photo_credits(line: str, title: str | None, starts: str) -> None:
    article = clean(RawDocument(source_path="x.txt", text=line + "\nMore.", format="text"))
    assert article.title == title
    assert article.text.startswith(starts)


def test_ptb_quotes_pair_even_when_the_opening_quote_is_straight() -> None:
    assert detokenise_ptb("BP cap captures ' 10,000 barrels ' a day .") == (
        "BP cap captures '10,000 barrels' a day."
    )
    assert detokenise_ptb("the terms of the '' static kill '' , he said .") == (
        'the terms of the "static kill", he said.'
    )
    assert detokenise_ptb("the workers ' safety was n't assured .") == (
        "the workers' safety wasn't assured."
    )
    assert detokenise_ptb(": `` We have the best people . '' Then") == (
        ': "We have the best people." Then'
    )


@needs_timeline17
@pytest.mark.parametrize(
    ("name", "title", "starts"),
    [
        # headline + speaker caption on the first line: the caption goes too
        (
            "2010-05-27/1582.htm.txt",
            "Gulf oil spill: BP says 'top kill' plug going to plan",
            "BP says its operation to pump mud",
        ),
        # headline + speaker caption + first sentence on one line
        (
            "2010-05-29/1392.htm.txt",
            "'Top kill' BP operation to halt US oil leak fails",
            "The latest attempt to stop the Gulf of Mexico oil leak has failed",
        ),
        # headline + first sentence, a short file (tokenised, though without commas)
        ("2010-05-27/183.htm.txt", "BP oil leak plug 'going as planned'", "The oil company BP"),
        # headline + caption + first sentence: the caption opens with a common word
        (
            "2010-05-14/643.htm.txt",
            "BP tries to thread tube into leaking pipe to stop flow",
            "Forecasters predict",
        ),
        # no headline on the page (a caption, then the first sentence): no title is invented
        ("2010-05-01/68.htm.txt", None, "Louisiana Governor Bobby Jindal warned"),
    ],
)
def test_headline_glued_to_caption_and_first_sentence(
    name: str, title: str | None, starts: str
) -> None:
    article = _timeline17(name)
    assert article.title == title
    assert article.text.startswith(starts)
    if title:
        (ev,) = [e for e in article.evidence if e.field == "title"]
        assert ev.rule == "glued-headline"


def test_headline_before_a_stamp_loses_its_standfirst() -> None:
    line = (
        "Deepwater Horizon alarms were switched off 'to help workers sleep' Alarms and safety "
        "mechanisms on gulf disaster oil rig were disabled, chief technician at Transocean "
        "reveals Friday 23 July 2010 19.54 BST Transocean is under scrutiny."
    )
    article = clean(RawDocument(source_path="x.txt", text=line + "\nMore.", format="text"))
    assert article.title == "Deepwater Horizon alarms were switched off 'to help workers sleep'"
    assert article.text.startswith("Transocean is under scrutiny")


def test_dated_photo_captions_above_an_article_are_furniture() -> None:
    text = (
        "Apr. 21 : An oil slick is seen as the Deepwater Horizon oil rig burns in the Gulf .\n"
        "AP Apr. 21 : Fire boat crews battle the blazing remnants of the rig .\n"
        "Coast Guard via AP NEW ORLEANS -- The Coast Guard discovered Saturday that oil is "
        "leaking , officials said , from the well .\n"
        "April 20 : the rig exploded , one timeline entry reads .\n"
    )
    article = clean(RawDocument(source_path="x.txt", text=text, format="text"))
    assert article.text.startswith("NEW ORLEANS -- The Coast Guard discovered")
    assert "the rig exploded" in article.text  # inside the article: kept
    assert sum(r.startswith("photo caption") for r in article.removed) == 2


def test_cnn_from_byline_is_cut() -> None:
    line = "From the CNN Wire Staff Rebel forces retreat in Libya Tripoli (CNN) -- Rebels fled."
    article = clean(RawDocument(source_path="x.txt", text=line + "\nMore.", format="text"))
    assert "CNN Wire Staff" not in article.text


def test_a_ticker_the_sentence_splitter_broke_is_joined() -> None:
    text = (
        "Shares in BP Plc -LRB- BP.\nL -RRB- fell , traders said , on Tuesday .\n"
        "The company 's shares fell .\n"
    )
    article = clean(RawDocument(source_path="x.txt", text=text, format="text"))
    assert article.text.startswith("Shares in BP Plc (BP.L) fell, traders said")


@needs_timeline17
def test_a_name_the_body_lacks_does_not_end_a_headline_before_a_clear_end() -> None:
    # "Gulf" is not in this Guardian article's body; the standfirst opens at "'Top kill'"
    path = SHARED_DATA / "timeline17" / "bpoil_guardian" / "InputDocs" / "2010-05-26/668.htm.txt"
    (doc,) = list(read_file(InputFile(path, "text")))
    article = clean(doc)
    assert article.title == "BP's new plan to stop Gulf oil spill"


def test_guardian_key_points_under_a_headline_are_lines_of_their_own() -> None:
    text = (
        "Oil spill : City slashes another # 5bn off BP 's value cents Cost of rescue efforts "
        "now exceeds $ 6m a day cents Drilling begins on a relief well , officials said .\n"
        "It costs 5 cents A gallon , he said , and the company 's shares fell .\n"
    )
    article = clean(RawDocument(source_path="x.txt", text=text, format="text"))
    assert article.title == "Oil spill: City slashes another £5bn off BP's value"
    assert article.text.startswith("Cost of rescue efforts now exceeds $6m a day\nDrilling")
    assert "5 cents A gallon" in article.text  # a price is not a bullet


@needs_timeline17
def test_a_caption_between_headline_and_first_sentence_gets_its_own_line() -> None:
    article = _timeline17("2010-05-15/235.htm.txt")
    assert article.title == "US demands oil spill costs 'clarification' from BP"
    caption, lede = article.text.split("\n")[:2]
    assert caption == "Thousands of barrels of oil a day have been leaking from the seabed"
    assert lede.startswith("The US government has demanded")


@pytest.mark.parametrize(
    "stamp",
    ["Page last updated at 16:51 GMT , Tuesday , 19 January 2010 ", "Wed , Dec 15 18:14 PM EST "],
)
def test_bbc_and_reuters_page_stamps_are_never_titles(stamp: str) -> None:
    text = stamp + "WASHINGTON -LRB- Reuters -RRB- - The US sued BP on Wednesday .\nMore .\n"
    article = clean(RawDocument(source_path="x.txt", text=text, format="text"))
    assert article.title is None
    assert article.text.startswith("WASHINGTON (Reuters) - The US sued BP")


def test_guardian_key_points_without_a_headline_are_no_title() -> None:
    text = (
        "cents Fitch ratings agency concerned about short-term costs cents BP rating cut from "
        "AA to BBB cents Costs from the oil spill continue , he said , to escalate .\n"
        "More , the company 's chief said .\n"
    )
    article = clean(RawDocument(source_path="x.txt", text=text, format="text"))
    assert article.title is None
    assert article.text.startswith("Fitch ratings agency concerned about short-term costs\nBP")


@needs_timeline17
def test_a_caption_before_the_first_sentence_gets_its_own_line_when_there_is_no_headline() -> None:
    article = _timeline17("2010-05-01/68.htm.txt")
    assert article.title is None
    caption, lede = article.text.split("\n")[:2]
    assert caption.startswith("Louisiana Governor Bobby Jindal warned the spill threatened")
    assert lede.startswith("Bad weather hampered efforts")


def test_a_date_or_a_title_does_not_end_a_caption_early() -> None:
    text = (
        "Oil has been leaking into the Gulf since 20 April Barack Obama has told Prime Minister "
        "David Cameron that criticism of BP has `` nothing to do with national identity '' .\n"
        "More , the company 's chief said .\n"
    )
    article = clean(RawDocument(source_path="x.txt", text=text, format="text"))
    caption, lede = article.text.split("\n")[:2]
    assert caption == "Oil has been leaking into the Gulf since 20 April"
    assert lede.startswith("Barack Obama has told Prime Minister David Cameron that")


def test_ptb_pound_sign_is_a_pound_sign_again() -> None:
    """PTB (Timeline17's BBC and Guardian pages) writes "£" as "#": a sum with a scale or
    thousands reads "£" again, as the claims stage reads it either way; "#1" stays."""
    from newsweave.claim_slots import NumberSlot, SlotContext
    from newsweave.clean import detokenise_ptb

    raw = "It had cost $ 3.12 bn -LRB- # 2bn -RRB- , with a # 5.3 m fine and # 894,000 paid ."
    text = detokenise_ptb(raw)
    assert text == "It had cost $3.12 bn (£2bn), with a £5.3 m fine and £894,000 paid."
    assert detokenise_ptb("the #1 hit") == "the #1 hit"
    kept = detokenise_ptb(raw.replace("#", "@")).replace("@", "#")  # the same text, "#" left
    assert [(q.value, q.unit) for q in NumberSlot().extract(text, SlotContext())] == [
        (q.value, q.unit) for q in NumberSlot().extract(kept, SlotContext())
    ]


def test_ptb_digit_group_split_off_its_number_is_joined() -> None:
    # Timeline17 bpoil (Reuters, 2010-05-17): "gallons\/795 ,000 liters" tokenised a number in two
    from newsweave.clean import detokenise_ptb

    line = "the 5,000 barrels -LRB- 210,000 gallons\\/795 ,000 liters -RRB- BP estimated ."
    joined = "the 5,000 barrels (210,000 gallons\\/795,000 liters) BP estimated."
    assert detokenise_ptb(line) == joined
    assert detokenise_ptb("35,000-60 ,000 barrels , and 3 , 4") == "35,000-60,000 barrels, and 3, 4"


def test_ptb_decimal_split_off_its_number_is_joined() -> None:
    """The one join covers decimals too, slash or no slash before them (Timeline17:
    "magnitude-7 .2", "$US19 .5 bn", "1-1 .5%"); a sentence's full stop after a number stays."""
    from newsweave.clean import detokenise_ptb

    line = "A magnitude-6 .4 tremor shook the port , and a $US12 .5 bn fund paid 2-3 .5 % ."
    joined = "A magnitude-6.4 tremor shook the port, and a $US12.5 bn fund paid 2-3.5%."
    assert detokenise_ptb(line) == joined
    assert detokenise_ptb("It fell in 1998 . 7 people left .") == "It fell in 1998. 7 people left."


def _detokenise_line_by_line(text: str) -> str:
    """detokenise_ptb as it was written first: every substitution on each line alone."""
    from newsweave.clean import _PTB, _pair_quotes

    out = []
    for line in text.split("\n"):
        line = _pair_quotes(line.rstrip())
        for pattern, repl, _needs in _PTB:
            line = pattern.sub(repl, line)
        out.append(line)
    return "\n".join(out)


def test_detokenise_ptb_over_the_whole_text_as_line_by_line() -> None:
    # the substitutions run once over the whole text: where a line ends (``$`` in a
    # pattern, a lookbehind at a line's start, "#" and its sum across a line break) the
    # result is what each line alone gives
    cases = [
        "He said ,\n, 5 people .\nprices rose 3 .\n5 percent ' \n'' quoted ''",
        "a # 5\nmillion pounds\nthe # 2bn -LRB- # 3 -RRB-\n# 1,000 , here",
        " ,5 at the start\n7 ,000 and 8 .5 bn ; done ?\nit 's n't ' \n$ 3 -LSB- x -RSB- .",
        "quote '' \n`` open\n-LCB- a -RCB- ( b ) [ c ] %\n\n  \nend .",
    ]
    for text in cases:
        assert detokenise_ptb(text) == _detokenise_line_by_line(text), text
