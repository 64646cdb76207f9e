import sys

from ccrverify.lang import Spec

spec = Spec("ExitsWhileLoading")
sys.exit(3)
