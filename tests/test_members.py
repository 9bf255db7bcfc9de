"""relais.plugins.core.members: a list of posts whose `in` is a set lookup."""

from __future__ import annotations

import pickle

from relais.plugins.core.members import Members


class Post:
    """Like Pelican's posts: compared by identity."""


def test_in_answers_as_a_list_does_after_every_change():
    a, b, c, d = Post(), Post(), Post(), Post()
    members = Members([a, b])
    plain = [a, b]
    changes = [lambda x: x.append(c), lambda x: x.remove(a), lambda x: x.__setitem__(0, d),
               lambda x: x.extend([a]), lambda x: x.pop(), lambda x: x.insert(0, b),
               lambda x: x.__delitem__(0), lambda x: x.__iadd__([c]), lambda x: x.clear()]
    for change in changes:
        assert [p in members for p in (a, b, c, d)] == [p in plain for p in (a, b, c, d)]
        change(members)
        change(plain)
        assert list(members) == plain
    assert [p in members for p in (a, b, c, d)] == [False] * 4


def test_it_pickles_and_compares_as_the_plain_list():
    members = Members([1, 2, 3])
    assert members == [1, 2, 3] and members[1:] == [2, 3]
    again = pickle.loads(pickle.dumps(members))
    assert type(again) is list and again == [1, 2, 3]
