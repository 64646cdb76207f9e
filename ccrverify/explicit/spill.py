"""The search on disk, under a memory budget (``--memory``).

Delayed duplicate detection with a hash-partitioned visited set (Stern and
Dill, "Using magnetic disk instead of main memory in the Murphi verifier",
CAV 1998; here partitioned by hash as in later external-memory BFS work).
The visited set is split into 2**k regions by the top bits of each state's
hash; each region is one `RowSet` kept in a file. A level goes in three steps:

1. Expand the frontier, read chunk by chunk from its level file, in batches
   sized to the budget; append each batch's candidates to its region's
   candidate file (key words, hash, id; and the real state under symmetry).
2. For each region: load its table, add its candidates in batch order (the
   smallest id of a new state wins, as in memory: `rowset.py`), write the new
   states sorted by id to the region's output, save the table.
3. Merge the regions' outputs by id into the next level's file: the order a
   one-at-a-time BFS would have found them in.

Nothing grows with the state space in memory but the region count; a region
is split in two (by the next hash bit) before it outgrows its share of the
budget. Every byte read from disk is read with ``read()``, not mapped, so the
process's resident memory stays within the budget (the operating system's
page cache holds what it can of the files, outside it).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ccrverify.explicit.expand import Candidates, in_bfs_order
from ccrverify.explicit.levels import LevelFiles
from ccrverify.explicit.rowset import MAX_LOAD, RowSet, hash_rows, split_by_region

if TYPE_CHECKING:
    from ccrverify.explicit.search import Search

KEY = np.dtype("<i8")
HASH = np.dtype("<u8")
ID = np.dtype("<i8")
# Bytes a candidate costs while a batch is gathered (the arrays, their
# concatenation and the routing copies), per word and apart from the words.
CANDIDATE_WORD_BYTES, CANDIDATE_BYTES = 48, 64


class _Region:
    """One region of the visited set: its table lives in a file between uses."""

    def __init__(self, path: Path, words: int) -> None:
        self.path = path
        self.words = words
        self.size = 0
        self.bits = 10

    def load(self) -> RowSet:
        table = RowSet(self.words, 16)
        if self.size:
            data = np.fromfile(self.path, dtype=KEY).reshape(self.words, -1)
            table.table, table.bits, table.size = data, self.bits, self.size
        return table

    def save(self, table: RowSet) -> None:
        table.table.tofile(self.path)
        self.size, self.bits = table.size, table.bits

    def bytes_at(self, size: int) -> int:
        """The table's bytes when it holds `size` states."""
        bits = self.bits
        while size > MAX_LOAD * (1 << bits):
            bits += 1
        return (1 << bits) * self.words * KEY.itemsize


class Spill:
    def __init__(self, search: Search, budget: int) -> None:
        self.search = search
        self.budget = budget
        self.words = search.words
        checkpoint = search.request.checkpoint
        self.temporary = checkpoint is None
        base = Path(tempfile.mkdtemp(prefix="ccrverify-spill-")) if checkpoint is None \
            else checkpoint
        base.mkdir(parents=True, exist_ok=True)
        self.base = base
        self.work = base / "spill"
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir()
        self.files = LevelFiles(base, self.words)
        search.levels = self.files
        self.region_bits = 0
        self.regions = [_Region(self.work / "visited-0.table", self.words)]
        self.active = True  # the newest level is still to be expanded
        self.per_state = 16.0  # candidates per expanded state, measured as we go

    def close(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)
        if self.temporary:
            shutil.rmtree(self.base, ignore_errors=True)

    def frontier_size(self) -> int:
        return self.files.size(len(self.files) - 1) if self.active and len(self.files) else 0

    def clear_frontier(self) -> None:
        self.active = False

    # -- budget -----------------------------------------------------------------------
    def _candidate_bytes(self) -> int:
        symmetric = self.search.canon is not None
        return CANDIDATE_BYTES + CANDIDATE_WORD_BYTES * self.words * (2 if symmetric else 1)

    def _batch_states(self) -> int:
        """Frontier states per batch: their candidates take about a quarter of the budget."""
        room = self.budget // 4 // self._candidate_bytes()
        return max(1 << 10, int(room / max(1.0, self.per_state)))

    def _block(self) -> int:
        """Candidates per read while filling a region (an eighth of the budget)."""
        return max(1 << 12, self.budget // 8 // self._candidate_bytes())

    def _fit_regions(self, growth: int) -> None:
        """Split the regions until each, grown by its share of `growth` more states,
        keeps its table under an eighth of the budget per worker."""
        limit = self.budget // (8 * max(1, self.search.request.workers))
        while True:
            share = growth >> self.region_bits
            if all(r.bytes_at(r.size + share) <= limit for r in self.regions):
                return
            self._split()

    def _split(self) -> None:
        bits = self.region_bits + 1
        regions = [_Region(self.work / f"visited-{r}.table.new", self.words)
                   for r in range(1 << bits)]
        for r, old in enumerate(self.regions):
            table = old.load()
            rows = table.rows()
            del table
            hashes = hash_rows(rows)
            high = ((hashes >> np.uint64(64 - bits)) & np.uint64(1)).astype(bool)
            for half, sel in ((0, ~high), (1, high)):
                part = RowSet(self.words, max(16, int(sel.sum() / MAX_LOAD) + 1))
                part.add(rows[:, sel], hashes[sel])
                regions[2 * r + half].save(part)
            old.path.unlink(missing_ok=True)
        for r, region in enumerate(regions):
            final = self.work / f"visited-{r}.table"
            region.path.replace(final)
            region.path = final
        self.region_bits, self.regions = bits, regions

    # -- levels -----------------------------------------------------------------------
    def start(self, rows: Any, keys: Any) -> None:
        """Level 0: the initial states, first occurrence of each orbit kept."""
        ids = np.arange(rows.shape[1], dtype=np.int64)
        self._fit_regions(rows.shape[1])
        part = Candidates(0, rows, keys, hash_rows(keys), ids)
        writer = _Writer(self.work, len(self.regions), self.words, keys is not rows)
        writer.add(part, self.region_bits)
        writer.close()
        self._settle(writer, lambda found: (found, np.full(found.size, -1)))

    def restore(self, files: LevelFiles) -> None:
        """Rebuild the visited regions from a checkpoint's levels."""
        search = self.search
        self.files = files
        search.levels = files
        self._fit_regions(sum(files.sizes))
        for r, region in enumerate(self.regions):
            table = region.load()
            for depth, n in enumerate(files.sizes):
                for start in range(0, n, self._block()):
                    states = files.states(depth, start, min(n, start + self._block()))
                    keys = states if search.canon is None else search.canon(states)
                    hashes = hash_rows(keys)
                    mine = self._region_of(hashes) == r
                    table.add(keys[:, mine], hashes[mine])
            region.save(table)

    def _region_of(self, hashes: Any) -> Any:
        if not self.region_bits:
            return np.zeros(hashes.shape, dtype=np.int64)
        return (hashes >> np.uint64(64 - self.region_bits)).astype(np.int64)

    def expand(self) -> None:
        search = self.search
        depth = len(self.files) - 1
        n = self.files.size(depth)
        expander = search.expander()
        self._fit_regions(int(n * 2))

        def read(start: int, stop: int) -> Any:
            return self.files.states(depth, start, stop)

        from ccrverify.explicit.search import batches, chunk_size, spans

        writer = _Writer(self.work, len(self.regions), self.words, search.canon is not None)
        produced = 0
        workers = search.request.workers
        # a chunk's candidates must fit the batch's share of the budget too
        size = max(1 << 10, min(chunk_size(n, workers), self._batch_states() // workers))
        for batch in batches(spans(n, size), self._batch_states()):
            parts = search.pmap(expander.chunk, [(read, a, b) for a, b in batch])
            search.tally([(p.transitions, p.dead) for p in parts])
            for part in parts:
                if part.size:
                    writer.add(part, self.region_bits)
                    produced += part.size
            writer.end_batch()
        writer.close()
        self.per_state = max(1.0, produced / max(1, n))
        actions = expander.actions
        self._settle(writer, lambda ids: (ids // actions, ids % actions))

    def _settle(self, writer: _Writer, split: Any) -> None:
        """Steps 2 and 3: fill the regions, merge their new states into a level."""
        search = self.search
        outputs = search.pmap(lambda r: self._fill(r, writer), list(range(len(self.regions))))
        depth = len(self.files)
        self.files.start(depth)
        for ids, states in _merge(outputs, self.words, self._block()):
            parent, action = split(ids)
            self.files.write(depth, states, parent, action)
        for path, _ in outputs:
            path.unlink(missing_ok=True)
        writer.remove()
        self._accept(depth)

    def _fill(self, r: int, writer: _Writer) -> tuple[Path, int]:
        region = self.regions[r]
        table = region.load()
        out = self.work / f"new-{r}"
        count = 0
        with open(out, "wb") as fh:
            for keys, hashes, ids, states in writer.read(r, self._block()):
                new = np.flatnonzero(table.add(keys, hashes, ids))
                order = new[in_bfs_order(ids[new], new.size)]
                record = np.empty(order.size, dtype=_new_dtype(self.words))
                record["id"] = ids[order]
                record["state"] = states[:, order].T
                record.tofile(fh)  # (id, state) records, as _merge reads them
                count += order.size
        region.save(table)
        return out, count

    def _accept(self, depth: int) -> None:
        search = self.search
        n = self.files.size(depth)
        limit = search.request.max_states
        truncated = limit is not None and search.found.distinct + n > limit
        if truncated:
            assert limit is not None
            n = self.files.sizes[depth] = max(0, limit - search.found.distinct)
        if not n and depth:
            self.files.sizes.pop()
            self.active = False
            return
        search.found.distinct += n
        if search.keep_states:
            search.kept.append(self.files.states(depth))
        search.check_properties(lambda a, b: self.files.states(depth, a, b), n)
        if search.checkpoint is not None and not truncated:
            self.files.sync(depth)
            search._save()


class _Writer:
    """Candidate files, one per region, written batch after batch."""

    def __init__(self, work: Path, regions: int, words: int, symmetric: bool) -> None:
        self.words = words
        self.symmetric = symmetric
        self.paths = [work / f"candidates-{r}" for r in range(regions)]
        self.handles = [open(p, "wb") for p in self.paths]
        # per region, the number of candidates at the end of each batch
        self.bounds: list[list[int]] = [[] for _ in range(regions)]
        self.counts = [0] * regions

    def record_bytes(self) -> int:
        return (self.words * (2 if self.symmetric else 1)) * KEY.itemsize + HASH.itemsize \
            + ID.itemsize

    def add(self, part: Candidates, region_bits: int) -> None:
        regions = len(self.handles)
        if region_bits:
            where = (part.hashes >> np.uint64(64 - region_bits)).astype(np.int64)
            groups = split_by_region(where, regions)
        else:
            groups = [np.arange(part.size)]
        for r, sel in enumerate(groups):
            if not sel.size:
                continue
            record = np.empty(sel.size, dtype=self._dtype())
            record["key"] = part.keys[:, sel].T
            record["hash"] = part.hashes[sel]
            record["id"] = part.ids[sel]
            if self.symmetric:
                record["state"] = part.states[:, sel].T
            record.tofile(self.handles[r])
            self.counts[r] += sel.size

    def _dtype(self) -> Any:
        fields = [("key", KEY, (self.words,)), ("hash", HASH), ("id", ID)]
        if self.symmetric:
            fields.append(("state", KEY, (self.words,)))
        return np.dtype(fields)

    def end_batch(self) -> None:
        for r, count in enumerate(self.counts):
            self.bounds[r].append(count)

    def close(self) -> None:
        self.end_batch()
        for h in self.handles:
            h.close()

    def read(self, r: int, block: int) -> Any:
        """Region r's candidates in blocks of whole batches (a batch is never split:
        within a batch, ids come in no particular order)."""
        dtype = self._dtype()
        start = 0
        bounds = sorted(set(self.bounds[r]))
        while start < self.counts[r]:
            stop = next((b for b in bounds if b - start >= block), self.counts[r])
            data = np.fromfile(self.paths[r], dtype=dtype, count=stop - start,
                               offset=start * dtype.itemsize)
            keys = np.ascontiguousarray(data["key"].reshape(-1, self.words).T)
            states = (np.ascontiguousarray(data["state"].reshape(-1, self.words).T)
                      if self.symmetric else keys)
            yield keys, np.ascontiguousarray(data["hash"]), np.ascontiguousarray(data["id"]), \
                states
            start = stop

    def remove(self) -> None:
        for p in self.paths:
            p.unlink(missing_ok=True)


def _new_dtype(words: int) -> Any:
    """A new state in a region's output: its id, then its words."""
    return np.dtype([("id", ID), ("state", KEY, (words,))])


def _merge(outputs: list[tuple[Path, int]], words: int, block: int) -> Any:
    """The regions' new states (each file sorted by id) merged by id, in blocks."""
    record = ID.itemsize + words * KEY.itemsize
    dtype = _new_dtype(words)
    assert dtype.itemsize == record
    per = max(1, block // max(1, len(outputs)))
    done = [0] * len(outputs)
    buffers: list[Any] = [None] * len(outputs)
    while True:
        for r, (path, count) in enumerate(outputs):
            if (buffers[r] is None or not buffers[r].size) and done[r] < count:
                take = min(per, count - done[r])
                buffers[r] = np.fromfile(path, dtype=dtype, count=take,
                                         offset=done[r] * record)
                done[r] += take
        live = [b for b in buffers if b is not None and b.size]
        if not live:
            return
        # Everything up to the smallest last id of a buffer whose file has more.
        bound = min((int(b["id"][-1]) for r, b in enumerate(buffers)
                     if b is not None and b.size and done[r] < outputs[r][1]),
                    default=None)
        taken = []
        for r, b in enumerate(buffers):
            if b is None or not b.size:
                continue
            cut = b.size if bound is None else int(np.searchsorted(b["id"], bound, "right"))
            taken.append(b[:cut])
            buffers[r] = b[cut:]
        merged = np.concatenate(taken)
        merged = merged[in_bfs_order(merged["id"], merged.size)]
        yield (np.ascontiguousarray(merged["id"]),
               np.ascontiguousarray(merged["state"].reshape(-1, words).T))
