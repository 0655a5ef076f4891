# A minimal test harness for MicroPython (no unittest there): every `test_*`
# function of the given modules runs; `check` counts one assertion each, and a
# test that raises counts as one failure.

import sys

passed = 0
failed = 0


def check(cond, label):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", label)


def raises(fn, exc_type, label):
    # Calls fn(); returns the exception if it is an exc_type, else records a failure.
    try:
        fn()
    except exc_type as e:
        check(True, label)
        return e
    except BaseException as e:  # noqa: B036
        check(False, "%s: raised %r, expected %s" % (label, e, exc_type.__name__))
        return None
    check(False, "%s: did not raise %s" % (label, exc_type.__name__))
    return None


def read(path):
    with open(path, "rb") as f:
        return f.read()


def tsv(path):
    # Rows of a TSV file as dicts keyed by its header; fields are not trimmed.
    text = read(path).decode()
    lines = [line for line in text.split("\n") if line]
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"))) for line in lines[1:]]


def run(modules):
    global failed
    for module in modules:
        for name in sorted(dir(module)):
            if name.startswith("test_"):
                try:
                    getattr(module, name)()
                except BaseException as e:  # noqa: B036
                    failed += 1
                    print("FAIL: %s.%s raised:" % (module.__name__, name))
                    sys.print_exception(e)
    print("%d passed, %d failed" % (passed, failed))
