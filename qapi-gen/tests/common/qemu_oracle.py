"""Judge schemas with QEMU's own front end, as its test-qapi.py does.

usage: qemu_oracle.py SCRIPTS_DIR TEST_QAPI_PY < paths

SCRIPTS_DIR is a QEMU release's scripts/ directory (its qapi package is
imported from there), TEST_QAPI_PY QEMU's tests/qapi-schema/test-qapi.py
(its model dump).  Each line of standard input names a schema; for each,
one JSON object is printed on a line of its own: {"dump": TEXT,
"sections": [[KIND, ...], ...]} when QEMU accepts the schema (the kinds of
every doc block's sections, QEMU's all_sections, stubs included),
{"error": TEXT} with QEMU's error message when it rejects it, {"crash":
TEXT} when QEMU's front end fails otherwise.
"""

import contextlib
import importlib.util
import io
import json
import sys
import traceback


def main():
    scripts, test_qapi = sys.argv[1], sys.argv[2]
    sys.path.insert(0, scripts)
    # pylint: disable=import-outside-toplevel
    from qapi.error import QAPIError
    from qapi.schema import QAPISchema

    spec = importlib.util.spec_from_file_location('test_qapi', test_qapi)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    for line in sys.stdin:
        path = line.rstrip('\n')
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                module.test_frontend(path)
            sections = [[str(section.kind) for section in doc.all_sections]
                        for doc in QAPISchema(path).docs]
            verdict = {'dump': out.getvalue(), 'sections': sections}
        except QAPIError as err:
            verdict = {'error': str(err)}
        except Exception:  # pylint: disable=broad-except
            verdict = {'crash': traceback.format_exc()}
        print(json.dumps(verdict), flush=True)


if __name__ == '__main__':
    main()
