"""Copying SQLite's write-ahead log back into the database, off the commit path.

SQLite checkpoints inside the commit that takes the WAL past 1,000 pages: that commit
copies about 4 MB and syncs the file before it returns. At 200 deliveries a second
(each stored with its ~20 KB body) that is one delivery in a hundred or so waiting
several milliseconds more for its 202. Each journal's connection turns that off and a
thread with a connection of its own checkpoints every second instead; a PASSIVE
checkpoint waits for no reader or writer, so deliveries go on committing meanwhile.
"""

from __future__ import annotations

import sqlite3
import threading

import structlog

log = structlog.get_logger()
INTERVAL_SECONDS = 1.0


class Checkpointer:
    def __init__(self, path: str, interval: float | None = None) -> None:
        self.path = path
        self.interval = interval or INTERVAL_SECONDS
        self.runs = 0  # checkpoints that ran (for tests)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="sqlite-checkpoint", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _loop(self) -> None:
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        try:
            while not self._stop.wait(self.interval):
                self.checkpoint(conn)
        finally:
            conn.close()

    def checkpoint(self, conn: sqlite3.Connection) -> None:
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            self.runs += 1
        except sqlite3.Error as error:  # another process's checkpoint runs: next second
            log.debug("sqlite_checkpoint_skipped", error=str(error))
