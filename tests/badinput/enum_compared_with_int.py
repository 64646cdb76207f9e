from ccrverify.lang import Enum, Spec

ROLE = Enum("Role", ["active", "passive"])
spec = Spec("EnumComparedWithInt")


@spec.model
def build(m):
    m.var("role", ROLE, init="active")

    @m.action()
    def flip(s):
        s.require(s.role == 0)
        s.role = "passive"


@spec.invariant("Fine")
def fine(s):
    return s.role == "active"
