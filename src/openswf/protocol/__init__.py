"""The SWF language: pure data shared by the server and the SDK."""
