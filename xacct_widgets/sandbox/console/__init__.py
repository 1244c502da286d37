"""The sandbox's console pages, mounted beside the API by the WSGI stack: federation, IAM user
sign-in, the console page and Switch Role (:mod:`.app`), their HTML (:mod:`.pages`), and the
switch itself, a real AssumeRole to the sandbox (:mod:`.switch`).

Importing the package loads no moto; :mod:`.app` does.
"""
