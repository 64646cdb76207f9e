"""DieHard: measure 4 gallons with a 3- and a 5-gallon jug (BENCHMARKS.md).

The invariant NotSolved is violated on purpose: its shortest counterexample
is the puzzle's solution.
"""

from ccrverify.lang import IntRange, Spec, min_

spec = Spec("DieHard", __doc__)


@spec.model
def build(m):
    m.var("small", IntRange(0, 3), init=0)
    m.var("big", IntRange(0, 5), init=0)

    @m.action()
    def fill_small(s):
        s.small = 3

    @m.action()
    def fill_big(s):
        s.big = 5

    @m.action()
    def empty_small(s):
        s.small = 0

    @m.action()
    def empty_big(s):
        s.big = 0

    @m.action()
    def small_to_big(s):
        poured = min_(s.big + s.small, 5) - s.big
        s.big = s.big + poured
        s.small = s.small - poured

    @m.action()
    def big_to_small(s):
        poured = min_(s.big + s.small, 3) - s.small
        s.small = s.small + poured
        s.big = s.big - poured


@spec.invariant("NotSolved", "The big jug never holds exactly 4 gallons.")
def not_solved(s):
    return s.big != 4
