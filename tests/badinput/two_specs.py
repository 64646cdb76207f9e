from ccrverify.lang import Spec

first = Spec("First")
second = Spec("Second")
