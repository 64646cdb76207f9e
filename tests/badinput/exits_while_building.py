import sys

from ccrverify.lang import IntRange, Spec

spec = Spec("ExitsWhileBuilding")


@spec.model
def build(m):
    m.var("x", IntRange(0, 3), init=0)
    sys.exit(0)
