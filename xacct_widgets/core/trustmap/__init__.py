"""Who can switch where across an organization: ``TrustMap`` (see :mod:`.trustmap`).

:mod:`.model` the collected inputs as plain values; :mod:`.collect` the fan-out of reads and the
organization's SCPs; :mod:`.solve` the edges, decided by the policy engine; :mod:`.queries`
paths, chains and diffs on the edges; :mod:`.verify` the replay in the sandbox;
:mod:`.graph` the edges as a networkx graph.
"""

from .graph import GraphUnavailable
from .queries import CHAINED_SESSION_S, DIFF_COLUMNS, PATH_COLUMNS
from .solve import EDGE_COLUMNS
from .trustmap import TrustMap
from .verify import VERIFY_COLUMNS

__all__ = [
    "CHAINED_SESSION_S",
    "DIFF_COLUMNS",
    "EDGE_COLUMNS",
    "PATH_COLUMNS",
    "VERIFY_COLUMNS",
    "GraphUnavailable",
    "TrustMap",
]
