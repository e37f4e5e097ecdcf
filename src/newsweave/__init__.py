"""newsweave."""
