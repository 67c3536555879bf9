"""The pages readers see: they compose the content core with the paywall, comments, sharing and
caching. Nothing below them imports them; comments and sharing are handed what they need."""
