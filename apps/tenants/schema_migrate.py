"""One schema's `migrate`, as the fleet's executor runs it for every network (apps/tenants/migration_executor.py).

Django's migrate command, run once per schema, redoes what is the same for every schema and asks the catalog
what it could ask one table: it loads the migration graph, renders every model of the project state twice, runs
the post_migrate work (content types, permissions, role groups: ≈150 queries) although nothing changed, and
learns whether `django_migrations` exists by listing every table visible on the search path — a scan of every
schema's catalog rows, ≈0.2 s at 300 networks and growing with the fleet — four times per schema.

Here the graph, the targets and the rendered project states are built once per process (`MigrationRun`, before
the pool forks, and a cache of states keyed by the set of applied migrations); a schema costs one query for its
applied migrations and a few for whether the post_migrate work is current; a schema with something to apply goes
through Django's own MigrationExecutor and signals, with those prepared pieces. Squashed migrations (whose graph
depends on what a schema has applied) and the options that only inspect (--plan, --check, --prune, --fake…) are
left to django-tenants' executor: `MigrationRun.prepare` answers None for them.
"""

import contextlib
import copy
import sys
import weakref
from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps as global_apps
from django.contrib.auth.management import _get_all_permissions, create_permissions
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.management import create_contenttypes
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import CommandError
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import connections, router, transaction
from django.db.migrations.exceptions import AmbiguityError, InconsistentMigrationHistory, IrreversibleError
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.migrations.state import ModelState, ProjectState
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.module_loading import module_has_submodule

from apps.accounts.apps import role_permissions_after_migrate
from apps.accounts.selectors import role_permissions_current

# Options of Django's migrate this path implements; any other set (--fake, --plan, --check, --prune,
# --run-syncdb, --fake-initial) goes to django-tenants' executor.
INSPECTING_OPTIONS = ("fake", "fake_initial", "plan", "check_unapplied", "prune", "run_syncdb")


class _SchemaRecorder(MigrationRecorder):
    """Django's recorder learns whether django_migrations exists by listing every table on the search path (a
    scan of the whole fleet's catalog); this one looks the table up by name in the schema."""

    def has_table(self) -> bool:
        if not self._has_table:
            schema = self.connection.ops.quote_name(self.connection.schema_name)
            with self.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT to_regclass(%s) IS NOT NULL", [f"{schema}.{self.Migration._meta.db_table}"]
                )
                self._has_table = cursor.fetchone()[0]
        return self._has_table


class _SchemaExecutor(MigrationExecutor):
    """Django's MigrationExecutor on a loader built once per process, with this schema's applied migrations; a
    migration's operations run on the state transitions of the run (`MigrationRun.steps`), computed in its first
    schema. Migration.apply/unapply compute them again in every schema, re-rendering the changed model and every
    model related to it: ≈ 2 s per operation on a central model such as catalog's ProductTemplate. Never fakes
    (the run leaves --fake and --fake-initial to Django's command)."""

    def __init__(self, connection, loader: MigrationLoader, recorder: MigrationRecorder | None, run=None):
        # Not super().__init__: it would load the graph and read the applied migrations again.
        self.connection = connection
        self.loader = loader
        self.recorder = recorder
        self.progress_callback = None
        self.run = run
        self.applied = set(loader.applied_migrations or ())

    def apply_migration(self, state, migration, fake=False, fake_initial=False):
        """Django's apply_migration (recording included) on the run's transitions; returns the state after."""
        steps, after = self.run.steps(migration, frozenset(self.applied), backwards=False)
        recorded = False
        with self.connection.schema_editor(atomic=migration.atomic) as schema_editor:
            _operations_run(migration, schema_editor, steps, backwards=False)
            if not schema_editor.deferred_sql:
                self.record_migration(migration)
                recorded = True
        if not recorded:
            self.record_migration(migration)
        self.applied.add((migration.app_label, migration.name))
        return after

    def _migrate_all_backwards(self, plan, full_plan, fake):
        """Unapplies the plan as Django's does, each migration from the state before it (the applied migrations
        that precede it in the full plan). Returns nothing: the run keeps the state after the plan."""
        order = [migration for migration, _ in full_plan]
        for migration, _ in plan:
            preceding = order[: order.index(migration)]
            before = frozenset(key for m in preceding if (key := (m.app_label, m.name)) in self.applied)
            steps, _ = self.run.steps(migration, before, backwards=True)
            with self.connection.schema_editor(atomic=migration.atomic) as schema_editor:
                _operations_run(migration, schema_editor, steps, backwards=True)
            self.recorder.record_unapplied(migration.app_label, migration.name)


def _operations_run(migration, schema_editor, steps: list, *, backwards: bool) -> None:
    """The database half of Migration.apply / unapply: each operation between its two states."""
    for operation, from_state, to_state in steps:
        run = operation.database_backwards if backwards else operation.database_forwards
        atomic_operation = operation.atomic or (migration.atomic and operation.atomic is not False)
        if not schema_editor.atomic_migration and atomic_operation:
            with transaction.atomic(schema_editor.connection.alias):
                run(migration.app_label, schema_editor, from_state, to_state)
        else:
            run(migration.app_label, schema_editor, from_state, to_state)


def _forwards_steps(migration, state: ProjectState) -> tuple[list, ProjectState]:
    """The state half of Migration.apply: (operation, state before, state after) for each operation."""
    project_state = state.clone()
    steps = []
    for operation in migration.operations:
        old_state = project_state.clone()
        operation.state_forwards(migration.app_label, project_state)
        steps.append((operation, old_state, project_state.clone()))
    return steps, project_state


def _backwards_steps(migration, state: ProjectState) -> list:
    """The state half of Migration.unapply: (operation, state after it, state before it), last operation first."""
    steps = []
    new_state = state
    for operation in migration.operations:
        if not operation.reversible:
            raise IrreversibleError(f"Operation {operation} in {migration} is not reversible")
        new_state = new_state.clone()
        old_state = new_state.clone()
        operation.state_forwards(migration.app_label, new_state)
        steps.insert(0, (operation, new_state, old_state))
    return steps


@dataclass
class SchemaOutcome:
    schema: str
    seconds: float = 0.0
    applied: list[str] = field(default_factory=list)  # "app.name", or "-app.name" for one unapplied
    post_migrate_ran: bool = False
    error: str = ""


@dataclass
class MigrationRun:
    """What every schema of one migrate_schemas run shares: the graph, the targets, the rendered states."""

    database: str
    loader: MigrationLoader
    targets: list[tuple[str, str | None]]
    verbosity: int = 0
    interactive: bool = False
    # Whether every pre/post_migrate receiver is one whose work `post_migrate_current` can check.
    signals_checkable: bool = True
    _states: dict = field(default_factory=dict)
    _steps: dict = field(default_factory=dict)
    _expected: dict = field(default_factory=dict)

    @classmethod
    def prepare(cls, *, database: str, options: dict) -> "MigrationRun | None":
        """The run's shared pieces, or None when the options or the migrations need Django's command."""
        if any(options.get(option) for option in INSPECTING_OPTIONS):
            return None
        _receivers_register()
        loader = MigrationLoader(None)  # the graph only: each schema's applied migrations are read per schema
        if loader.replacements:
            return None  # a squashed migration's graph depends on each schema's applied migrations
        if conflicts := loader.detect_conflicts():
            names = "; ".join(f"{', '.join(names)} in {app}" for app, names in conflicts.items())
            raise CommandError(
                f"Conflicting migrations detected; multiple leaf nodes in the migration graph: ({names})."
            )
        return cls(
            database=database,
            loader=loader,
            targets=_targets(loader, options.get("app_label"), options.get("migration_name")),
            verbosity=int(options.get("verbosity", 1)),
            interactive=bool(options.get("interactive", False)),
            signals_checkable=_signals_checkable(),
        )

    def migrate(self, schema: str) -> SchemaOutcome:
        """Brings `schema` to the run's targets; raises what a migration raises (its transaction rolled back)."""
        outcome = SchemaOutcome(schema=schema)
        self._content_type_caches_clear()
        connection = connections[self.database]
        connection.set_schema(schema, include_public=False)
        recorder = _SchemaRecorder(connection)
        recorder.ensure_schema()  # in this schema, never the public one's table found through the search path
        connection.set_schema(schema)
        loader = copy.copy(self.loader)
        loader.connection = connection
        loader.applied_migrations = recorder.applied_migrations()
        applied = set(loader.applied_migrations)
        _history_check(loader, applied, connection.alias)
        executor = _SchemaExecutor(connection, loader, recorder, run=self)
        plan = executor.migration_plan(self.targets)
        if plan:
            self._apply(executor, plan, frozenset(applied))
            outcome.applied = [f"{'-' if backwards else ''}{m.app_label}.{m.name}" for m, backwards in plan]
            unapplied = {(m.app_label, m.name) for m, backwards in plan if backwards}
            applied = (applied - unapplied) | {
                (m.app_label, m.name) for m, backwards in plan if not backwards
            }
        post_state = self._state(frozenset(applied), post=True)
        if not (self.signals_checkable and self.post_migrate_current(post_state)):
            if not plan:  # Django's migrate sends both signals when it applies nothing
                self._signal(emit_pre_migrate_signal, self._state(frozenset(applied), post=False), plan)
            self._signal(emit_post_migrate_signal, post_state, plan)
            outcome.post_migrate_ran = True
        return outcome

    def post_migrate_current(self, state: ProjectState) -> bool:
        """Whether the post_migrate work would write nothing in the current schema: every content type and
        permission Django creates for the state's models (and for the installed ones, which the role hook
        creates) exists, and the role groups have exactly their permissions. Django never deletes either."""
        content_types, permissions = self._expected_rows(state)
        if content_types and not content_types <= set(ContentType.objects.values_list("app_label", "model")):
            return False
        rows = Permission.objects.values_list("content_type__app_label", "content_type__model", "codename")
        if permissions and not permissions <= set(rows):
            return False
        return (
            role_permissions_current()
            if _has_receiver(post_migrate, role_permissions_after_migrate)
            else True
        )

    # --- inside

    def _apply(self, executor: _SchemaExecutor, plan: list, applied: frozenset) -> None:
        """Django's migrate from the pre_migrate signal to the last migration, from the cached state (which the
        executor's apply_migration never changes: it takes the run's transitions)."""
        # contenttypes' pre_migrate receiver inserts operations into the plan's migrations, which this process
        # keeps for the next schema: each schema starts from the operations as loaded.
        loaded = {migration: list(migration.operations) for migration, _ in plan}
        pre_state = self._state(applied, post=False)
        try:
            self._signal(emit_pre_migrate_signal, pre_state, plan)
            executor.migrate(self.targets, plan=plan, state=pre_state)
        finally:
            for migration, operations in loaded.items():
                migration.operations = operations

    def _signal(self, emit, state: ProjectState, plan: list) -> None:
        emit(self.verbosity, self.interactive, self.database, stdout=sys.stdout, apps=state.apps, plan=plan)

    def steps(self, migration, applied: frozenset, *, backwards: bool) -> tuple[list, ProjectState | None]:
        """A migration's state transitions from the state after `applied`, computed once per process."""
        key = ((migration.app_label, migration.name), applied, backwards)
        if key not in self._steps:
            before = self._state(applied, post=False)
            if backwards:
                self._steps[key] = (_backwards_steps(migration, before), None)
            else:
                self._steps[key] = _forwards_steps(migration, before)
        return self._steps[key]

    def _content_type_caches_clear(self) -> None:
        """ContentType's manager caches ids by model; the run's states (and the ContentType models rendered in
        them) serve every schema of the process, whose ids may differ: forgotten before each schema (the global
        manager's cache is cleared by the connection's set_schema)."""
        states = [*self._states.values()]
        for steps, after in self._steps.values():
            states.extend(state for _, *pair in steps for state in pair)
            states.extend([after] if after is not None else [])
        for state in states:
            if "apps" in state.__dict__:
                with contextlib.suppress(LookupError):
                    state.apps.get_model("contenttypes", "ContentType").objects.clear_cache()

    def _state(self, applied: frozenset, *, post: bool) -> ProjectState:
        """The project state after `applied`, rendered (and, for post_migrate, with the unmigrated apps' models
        re-rendered against it as Django's migrate does); cached for the process's next schemas."""
        key = (applied, post)
        if key not in self._states:
            loader = copy.copy(self.loader)
            loader.applied_migrations = dict.fromkeys(applied)
            state = _SchemaExecutor(None, loader, None)._create_project_state(with_applied_migrations=True)
            state_apps = state.apps
            if post:
                with state_apps.bulk_update():
                    model_keys = []
                    for model_state in state_apps.real_models:
                        model_keys.append((model_state.app_label, model_state.name_lower))
                        state_apps.unregister_model(*model_keys[-1])
                state_apps.render_multiple(
                    [ModelState.from_model(global_apps.get_model(*key)) for key in model_keys]
                )
            self._states[key] = state
        return self._states[key]

    def _expected_rows(self, state: ProjectState) -> tuple[set, set]:
        """The (app, model) content types and (app, model, codename) permissions post_migrate creates."""
        if id(state) not in self._expected:  # states live as long as the run (self._states)
            models = []
            for app_config in global_apps.get_app_configs():
                if not app_config.models_module:
                    continue
                if _has_receiver(post_migrate, role_permissions_after_migrate):
                    models.extend(app_config.get_models())  # it creates them from the installed models
                with contextlib.suppress(LookupError):  # an app without migrations has no models in the state
                    models.extend(state.apps.get_app_config(app_config.label).get_models())
            content_types = {(model._meta.app_label, model._meta.model_name) for model in models}
            permissions = {
                (model._meta.app_label, model._meta.model_name, codename)
                for model in models
                for codename, _ in _get_all_permissions(model._meta)
            }
            if not router.allow_migrate_model(self.database, ContentType):
                content_types = set()
            if not router.allow_migrate_model(self.database, Permission):
                permissions = set()
            self._expected[id(state)] = (content_types, permissions)
        return self._expected[id(state)]


def _receivers_register() -> None:
    """Imports each app's management module, as Django's migrate does: that is where receivers connect."""
    for app_config in global_apps.get_app_configs():
        if module_has_submodule(app_config.module, "management"):
            import_module(".management", app_config.name)


def _receivers(signal) -> list:
    """The signal's live receivers: weak references resolved, strong ones (`weak=False`) as they are."""
    resolved = (ref() if isinstance(ref, weakref.ReferenceType) else ref for _, ref, *_ in signal.receivers)
    return [receiver for receiver in resolved if receiver is not None]


def _has_receiver(signal, function) -> bool:
    return any(receiver is function for receiver in _receivers(signal))


def _signals_checkable() -> bool:
    """Whether `post_migrate_current` knows what every migrate signal receiver writes (otherwise a schema's
    signals are always sent)."""
    from django.contrib.contenttypes.management import inject_rename_contenttypes_operations

    post_known = (create_contenttypes, create_permissions, role_permissions_after_migrate)
    pre_known = (inject_rename_contenttypes_operations,)  # acts on a plan's RenameModel only
    return all(receiver in post_known for receiver in _receivers(post_migrate)) and all(
        receiver in pre_known for receiver in _receivers(pre_migrate)
    )


def _targets(loader: MigrationLoader, app_label: str | None, migration_name: str | None) -> list:
    """The targets Django's migrate computes from its arguments (without squashed migrations)."""
    if not app_label:
        return loader.graph.leaf_nodes()
    try:
        global_apps.get_app_config(app_label)
    except LookupError as error:
        raise CommandError(str(error)) from error
    if app_label not in loader.migrated_apps:
        raise CommandError(f"App '{app_label}' does not have migrations.")
    if not migration_name:
        return [key for key in loader.graph.leaf_nodes() if key[0] == app_label]
    if migration_name == "zero":
        return [(app_label, None)]
    try:
        migration = loader.get_migration_by_prefix(app_label, migration_name)
    except AmbiguityError as error:
        raise CommandError(
            f"More than one migration matches '{migration_name}' in app '{app_label}'."
        ) from error
    except KeyError as error:
        raise CommandError(
            f"Cannot find a migration matching '{migration_name}' from app '{app_label}'."
        ) from error
    return [(app_label, migration.name)]


def _history_check(loader: MigrationLoader, applied: set, alias: str) -> None:
    """Django's check that no migration is applied before its dependencies, on the applied set already read
    (its own reads it again, with a new recorder that lists the catalog)."""
    for key in applied:
        if key not in loader.graph.nodes:
            continue
        for parent in loader.graph.node_map[key].parents:
            if parent.key not in applied:
                raise InconsistentMigrationHistory(
                    f"Migration {key[0]}.{key[1]} is applied before its dependency {parent.key[0]}.{parent.key[1]}"
                    f" on database '{alias}'."
                )
