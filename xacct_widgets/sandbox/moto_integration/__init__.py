"""Everything the sandbox changes in moto, and nothing else: one package an upgrade is read in.

* :mod:`.patches` installs every replacement of a moto method or function
  (:func:`.patches.install`), each taken through :func:`.hooks.original`, which refuses a
  moto that no longer has it;
* :mod:`.assume_role` is the one wrap of moto's AssumeRole (STS's checks, the session recorded
  in :mod:`..sessions`);
* :mod:`.keys` answers for the root user's keys and indexes which account holds a key;
* :mod:`.deleted_principals` rewrites policies naming a deleted user or role;
* :mod:`.catalog` narrows moto's AWS-managed policy catalogue;
* :mod:`.state` switches moto's authorization on and off and resets it.

It routes moto's requests to :mod:`..decision` (imported from here, never the reverse); the WSGI
stack and the server use it; ``tests/test_architecture.py`` checks that no module outside this
package assigns to a moto attribute.
"""
