"""Packages import only downward: bot → storage → scheduler → (nothing), storage → habits
(the pure streak rules its figures are folded by), tips and habits alone, and the emulator a
stranger to all of them (so an end-to-end test never lets the product judge itself)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("bot", "storage", "scheduler", "habits", "tips", "emulator")
ALLOWED = {
    "bot": {"storage", "scheduler", "habits", "tips"},
    "storage": {"scheduler", "habits"},
    "scheduler": set(),
    "habits": set(),
    "tips": set(),
    "emulator": set(),
}
# The sandbox runs the real bot against the emulator: the one product package that may import
# it (the emulator still imports nothing of the product).
EXCEPTIONS = {
    "bot/sandbox/cli.py": {"emulator"},
    "bot/sandbox/commands.py": {"emulator"},
    "bot/sandbox/session.py": {"emulator"},
}


def imported_packages(
    package: str, exceptions: dict[str, set[str]] = EXCEPTIONS
) -> dict[str, set[str]]:
    """Each product package another package's modules import, with the importing files."""
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                where = path.relative_to(ROOT).as_posix()
                if top in PRODUCT and top != package and top not in exceptions.get(where, ()):
                    found.setdefault(top, set()).add(where)
    return found


def test_every_package_imports_only_the_layers_below_it():
    wrong = {
        package: {
            top: files for top, files in imported_packages(package).items() if top not in allowed
        }
        for package, allowed in ALLOWED.items()
    }
    assert {package: found for package, found in wrong.items() if found} == {}


def test_the_sandbox_is_the_one_exception_and_it_is_used():
    assert imported_packages("bot", exceptions={})["emulator"] == set(EXCEPTIONS)


def test_the_layer_rules_see_real_imports():
    assert set(imported_packages("bot")) == {"storage", "scheduler", "habits", "tips"}
    assert set(imported_packages("storage")) == {"scheduler", "habits"}


def imported_modules(package: str) -> set[tuple[str, str]]:
    """Every module a package's files import, with the importing file."""
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            found |= {(name, path.relative_to(ROOT).as_posix()) for name in names}
    return found


def test_the_product_uses_no_private_module_of_ptb_and_one_http_client():
    """PTB's `telegram._…` modules change without notice; httpx would be a second HTTP stack."""
    found = {pair for package in PRODUCT for pair in imported_modules(package)}
    private = {(name, where) for name, where in found if name.startswith("telegram._")}
    httpx = {(name, where) for name, where in found if name.split(".")[0] == "httpx"}
    assert (private, httpx) == (set(), set())
    assert ("telegram.request", "bot/transport/http.py") in found  # the rule sees real imports


def public_names(package: str) -> set[str]:
    """A package's public surface: its `__init__`'s `__all__` (names, or public modules)."""
    init = ROOT / package.replace(".", "/") / "__init__.py"
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__all__" for target in node.targets
        ):
            return set(ast.literal_eval(node.value))
    return set()


def private_imports() -> set[str]:
    """Imports of another package's modules that its `__all__` does not make public: each
    dotted step below a package must be in that package's `__all__` (`__main__`, a package's
    command line, aside)."""
    found = set()
    for package in PRODUCT:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules = [node.module]
                elif isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                else:
                    continue
                where = path.relative_to(ROOT).as_posix()
                found |= {f"{where}: {m}" for m in modules if _private(m, where)}
    return found


def _private(module: str, where: str) -> bool:
    """Whether `module`, imported in the file `where`, steps into a package other than the
    file's own (or one around it) by a name that package's `__all__` does not list."""
    parts = module.split(".")
    if parts[0] not in PRODUCT:
        return False
    home = where.removesuffix(".py").split("/")[:-1]  # the file's package, outermost first
    for depth in range(1, len(parts)):
        if parts[:depth] == home[:depth]:
            continue  # its own package, or one around it: its modules are its own business
        step = parts[depth]
        if step != "__main__" and step not in public_names(".".join(parts[:depth])):
            return True
    return False


def test_packages_import_each_other_only_through_their_public_surface():
    assert sorted(private_imports()) == []


def test_every_package_says_what_it_holds_and_defines_its_public_surface():
    packages = [init.parent for name in PRODUCT for init in (ROOT / name).rglob("__init__.py")]
    silent = [p.relative_to(ROOT).as_posix() for p in packages if not public_names_of(p)]
    undocumented = [
        p.relative_to(ROOT).as_posix()
        for p in packages
        if ast.get_docstring(ast.parse((p / "__init__.py").read_text(encoding="utf-8"))) is None
    ]
    assert (silent, undocumented) == ([], [])


def public_names_of(folder: Path) -> set[str]:
    return public_names(folder.relative_to(ROOT).as_posix().replace("/", "."))
