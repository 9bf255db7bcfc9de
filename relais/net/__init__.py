"""The one HTTP client every outbound request goes through (`client`), and its asyncio
network backend (`streams`). See docs/http-client.md."""
