# SPDX-License-Identifier: BSD-3-Clause
"""sampo.Error and sampo.FileError."""


class Error(Exception):
    """A libsampo error.

    ``code`` is the negative ``SAMPO_E_*`` status (``sampo.E_RANGE``, ...),
    ``name`` its short name ("RANGE"), ``message`` the detail (the context's
    ``sampo_ctx_last_error()`` when the library gave one).  ``str(e)`` is
    ``sampo_strerror(code)`` followed by the detail.
    """

    def __init__(self, code, message=""):
        super().__init__(code, message)
        self.code = int(code)
        self.message = message or ""

    @property
    def name(self):
        from . import _sampo
        for key in dir(_sampo):
            if key.startswith("SAMPO_E_") and getattr(_sampo, key) == self.code:
                return key[len("SAMPO_E_"):]
        return "UNKNOWN"

    def __str__(self):
        from . import _sampo
        text = _sampo.sampo_strerror(self.code)
        return "%s: %s" % (text, self.message) if self.message else text

    def __repr__(self):
        return "sampo.%s(%d, %r)" % (type(self).__name__, self.code, self.message)

    def __reduce__(self):
        return (_make, (self.code, self.message, getattr(self, "errno", 0) or 0))


class FileError(Error, OSError):
    """A capture file that cannot be opened: also an OSError, with ``errno``
    and ``filename`` set."""

    def __init__(self, code, message="", errno=0, filename=None):
        Error.__init__(self, code, message)
        self.errno = errno
        self.filename = filename
        import os
        self.strerror = os.strerror(errno) if errno else None


def _make(code, message="", sys_errno=0):
    """Called by the extension module to build the exception it raises."""
    if sys_errno:
        return FileError(code, message, sys_errno)
    return Error(code, message)
