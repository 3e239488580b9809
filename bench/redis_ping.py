"""Whether a Redis server answers on this machine, without needing the redis package."""

import socket

#: The Redis database the benchmark uses, and empties.
REDIS_URL = "redis://127.0.0.1:6379/14"


def redis_answers(host: str = "127.0.0.1", port: int = 6379, timeout: float = 0.3) -> bool:
    """True when a Redis server at ``host:port`` answers PING."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False
