"""``python -m acs_chat.emulator [--tls]``: runs the in-process emulator until Ctrl-C.

Prints one JSON line first: ``{"endpoint", "connection_string", "ca_cert"}`` (the same shape as the
``acs-chat-emulator`` binary; ``ca_cert`` is the PEM text with ``--tls``, else null).
"""

import argparse
import json
import sys
import threading
from typing import List, Optional

from .testing import Emulator


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m acs_chat.emulator", description=__doc__)
    parser.add_argument("--tls", action="store_true", help="serve https with a fresh self-signed CA")
    opts = parser.parse_args(argv)
    with Emulator(tls=opts.tls) as emu:
        print(json.dumps({"endpoint": emu.endpoint, "connection_string": emu.connection_string,
                          "ca_cert": emu.ca_cert_pem}), flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
