"""The receiver's group commit: senders write for each other, answers come after the write."""

from __future__ import annotations

import threading

import pytest

from console.receiver import MAX_GROUP, GroupCommitter


class _Sink:
    """Records each group; the first write can be held until the test lets it go."""

    def __init__(self, hold_first: bool = False, fail: int | None = None) -> None:
        self.groups: list[list[int]] = []
        self.durable: set[int] = set()
        self.release = threading.Event()
        self.entered = threading.Event()
        self.hold_first = hold_first
        self.fail = fail  # the call number that raises (the append failed)
        self.threads: set[str] = set()

    def transact_many(self, fns):
        self.threads.add(threading.current_thread().name)
        call = len(self.groups)
        results = [fn(None) for fn in fns]
        if self.hold_first and call == 0:
            self.entered.set()
            assert self.release.wait(10)
        self.groups.append([r for r in results if isinstance(r, int)])
        if call == self.fail:
            raise OSError("disk full")
        self.durable.update(r for r in results if isinstance(r, int))
        return results


def test_a_lone_sender_writes_in_its_own_thread_one_write_each():
    sink = _Sink()
    committer = GroupCommitter(sink)
    assert [committer.submit(lambda s, i=i: i).result() for i in range(5)] == list(range(5))
    assert sink.groups == [[0], [1], [2], [3], [4]]
    assert sink.threads == {threading.current_thread().name}


def test_senders_arriving_during_a_write_go_together_in_the_next_one():
    sink = _Sink(hold_first=True)
    committer = GroupCommitter(sink)
    answers: dict[int, int] = {}
    seen_durable: dict[int, bool] = {}

    def send(i: int) -> None:
        answers[i] = committer.submit(lambda s: i).result()
        seen_durable[i] = i in sink.durable  # answered only once its write returned

    first = threading.Thread(target=send, args=(0,))
    first.start()
    assert sink.entered.wait(10)
    others = [threading.Thread(target=send, args=(i,)) for i in range(1, 41)]
    for t in others:
        t.start()
    while len(committer._waiting) < 40:  # every other sender is queued behind the write
        threading.Event().wait(0.001)
    sink.release.set()
    for t in [first, *others]:
        t.join(10)
    assert answers == {i: i for i in range(41)}
    assert all(seen_durable.values()) and len(seen_durable) == 41
    assert sink.groups[0] == [0]
    assert sorted(sink.groups[1]) == list(range(1, 41)) and len(sink.groups) == 2


def test_a_group_is_at_most_max_group_writes():
    sink = _Sink(hold_first=True)
    committer = GroupCommitter(sink)
    n = MAX_GROUP + 10
    threads = [
        threading.Thread(target=lambda i=i: committer.submit(lambda s: i).result())
        for i in range(n + 1)
    ]
    threads[0].start()
    assert sink.entered.wait(10)
    for t in threads[1:]:
        t.start()
    while len(committer._waiting) < n:
        threading.Event().wait(0.001)
    sink.release.set()
    for t in threads:
        t.join(10)
    assert [len(g) for g in sink.groups] == [1, MAX_GROUP, 10]


def test_a_failing_function_fails_alone_and_a_failed_write_fails_its_whole_group():
    sink = _Sink(fail=1)
    committer = GroupCommitter(sink)

    def boom(state):
        raise ValueError("bad alert")

    assert committer.submit(lambda s: 1).result() == 1
    with pytest.raises(OSError, match="disk full"):
        committer.submit(lambda s: 2).result()  # the append itself failed: not durable
    bad = committer.submit(boom)
    with pytest.raises(ValueError, match="bad alert"):
        bad.result()
    # whoever wrote before let go: the next sender writes as usual
    assert committer.submit(lambda s: 3).result() == 3
    assert sink.durable == {1, 3}


def test_many_senders_each_get_their_own_answer_and_nobody_is_left_waiting():
    import random
    import time

    class Sleepy:
        def __init__(self) -> None:
            self.durable: set[int] = set()
            self.calls = 0

        def transact_many(self, fns):
            self.calls += 1
            results = [fn(None) for fn in fns]
            time.sleep(random.random() / 2000)  # a write of some 0-0.5 ms
            self.durable.update(results)
            return results

    sink = Sleepy()
    committer = GroupCommitter(sink)
    answers: dict[int, int] = {}
    late: list[int] = []

    def send(me: int) -> None:
        rnd = random.Random(me)
        for k in range(200):
            i = me * 1000 + k
            got = committer.submit(lambda s, i=i: i).result()
            answers[i] = got
            if got not in sink.durable:
                late.append(got)
            if rnd.random() < 0.3:
                time.sleep(0.0002)  # sometimes alone, sometimes in a crowd

    threads = [threading.Thread(target=send, args=(m,)) for m in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not any(t.is_alive() for t in threads)
    assert answers == {i: i for i in answers} and len(answers) == 16 * 200
    assert late == []  # nobody was answered before its write returned
    assert sink.calls < 16 * 200  # some writes went together
    assert not committer._writing and not committer._waiting


def test_a_committer_freezes_what_exists_when_it_starts():
    import gc

    class Thing:  # a container the collector tracks
        pass

    before = Thing()
    gc.unfreeze()
    try:
        assert any(o is before for o in gc.get_objects())
        GroupCommitter(_Sink())
        # out of the collector's generations: no full collection walks it again
        assert gc.get_freeze_count() > 0
        assert not any(o is before for o in gc.get_objects())
    finally:
        gc.unfreeze()
