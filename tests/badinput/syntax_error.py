from ccrverify.lang import Spec

spec = Spec("SyntaxError"
