"""The interactive trace explorer (``ccrverify serve``): a local web page over a
model, served by the standard library's HTTP server."""
