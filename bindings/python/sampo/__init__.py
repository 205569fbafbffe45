# SPDX-License-Identifier: BSD-3-Clause
"""sampo: Multipath TCP subflow association (libsampo) for Python.

    import sampo
    with sampo.Analyzer() as a:
        a.read_pcap("capture.pcap", sample="count:100")
        for s in a.sessions():
            print(s.id, s.method, s.confidence, [sf.flow for sf in s.subflows])

See docs/python.md for the manual.  ``sampo._sampo`` is the SWIG binding
of sampo.h underneath (class ``Context`` and the library's constants).
"""

from . import _sampo
from ._analyzer import DEFAULT_SEED, Analyzer
from ._errors import Error, FileError
from ._flows import FlowTuple, community_id, flow_string, flow_tuple
from ._objects import Event, Pair, ReadResult, Session, Subflow

__all__ = [
    "Analyzer", "Error", "FileError", "Session", "Subflow", "Event", "Pair", "ReadResult",
    "FlowTuple", "flow_string", "flow_tuple", "community_id", "strerror", "version", "version_number",
    "counter_names", "counter_description", "option_bounds", "key_token", "DEFAULT_SEED",
    "LINKTYPE_ETHERNET", "LINKTYPE_RAW", "LINKTYPE_LINUX_SLL", "LINKTYPE_IPV4",
    "LINKTYPE_IPV6", "LINKTYPE_LINUX_SLL2",
]

# Public classes show as sampo.X (repr, help, pickle).
for _cls in (Analyzer, Error, FileError, Session, Subflow, Event, Pair, ReadResult,
             FlowTuple):
    _cls.__module__ = __name__
del _cls

#: Version of the libsampo this module is built with ("0.1.0").
__version__ = _sampo.sampo_version_string()

# Link types (libpcap's LINKTYPE_* values).
LINKTYPE_ETHERNET = _sampo.SAMPO_LINKTYPE_ETHERNET
LINKTYPE_RAW = _sampo.SAMPO_LINKTYPE_RAW
LINKTYPE_LINUX_SLL = _sampo.SAMPO_LINKTYPE_LINUX_SLL
LINKTYPE_IPV4 = _sampo.SAMPO_LINKTYPE_IPV4
LINKTYPE_IPV6 = _sampo.SAMPO_LINKTYPE_IPV6
LINKTYPE_LINUX_SLL2 = _sampo.SAMPO_LINKTYPE_LINUX_SLL2

# Status codes: sampo.OK, sampo.E_INVAL, ... (negative SAMPO_E_* values).
OK = _sampo.SAMPO_OK
for _name in dir(_sampo):
    if _name.startswith("SAMPO_E_"):
        globals()[_name[len("SAMPO_"):]] = getattr(_sampo, _name)
        __all__.append(_name[len("SAMPO_"):])
del _name


def strerror(code):
    """``sampo_strerror()``: the message of a status code."""
    return _sampo.sampo_strerror(code)


def version():
    """Version string of the linked libsampo."""
    return _sampo.sampo_version_string()


def version_number():
    """``SAMPO_VERSION_NUMBER`` of the linked libsampo (major*10000+minor*100+patch)."""
    return _sampo.sampo_version_number()


def counter_names():
    """Names of the library counters, in the order of ``sampo_counter``."""
    out = []
    i = 0
    while True:
        name = _sampo.sampo_counter_name(i)
        if name is None:
            return out
        out.append(name)
        i += 1


def counter_description(name):
    """One-line description of a counter, by name."""
    try:
        return _sampo.sampo_counter_description(counter_names().index(name))
    except ValueError:
        raise Error(_sampo.SAMPO_E_INVAL, "no counter %r" % (name,)) from None


def option_bounds(opt):
    """Range and default of a ``SAMPO_OPT_*`` option (``sampo._sampo.SAMPO_OPT_WINDOW_NS``)."""
    return _sampo.option_bounds(opt)


def key_token(key, version=1):
    """MPTCP ``(token, idsn)`` of a 64-bit key (v0: SHA-1, v1: SHA-256)."""
    return _sampo.key_token(key, version)
