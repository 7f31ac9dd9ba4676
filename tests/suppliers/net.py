"""A URL on loopback where nothing listens (for "the server is unreachable" cases)."""

import socket


def unused_local_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
