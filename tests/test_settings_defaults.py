"""One home per default (issue 11 item 4): each default sits on its field (`setting(...,
default=per_env(...))`), the clouds' Args classes do not restate them, and the stack files carry
only what differs from them."""

from __future__ import annotations

import dataclasses

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import clouds
from conftest import ROOT, stack_names
from settings import checks
from settings.environments import ENVIRONMENTS
from settings.errors import PROJECT
from settings.schema import camel, per_env
from settings.sections import SECTIONS

ALL_SECTIONS = (*SECTIONS, *(s for s in clouds.registry().values() if s))


@given(st.integers(), st.integers(), st.integers(), st.one_of(st.none(), st.integers()))
def test_per_env_picks_the_environment_and_dr_mirrors_prod_unless_given(dev, staging, prod, dr):
    d = per_env(dev=dev, staging=staging, prod=prod, dr=dr)
    assert (d.of("dev"), d.of("staging"), d.of("prod")) == (dev, staging, prod)
    assert d.of("dr") == (prod if dr is None else dr)


@pytest.mark.parametrize("section", ALL_SECTIONS, ids=lambda s: s.KEY)
def test_every_default_sits_on_its_field(section):
    """No section keeps a defaults table of its own: `Section.defaults` reads the fields."""
    assert "defaults" not in vars(section)
    for env in ENVIRONMENTS:
        d = section.defaults(env)
        for f in dataclasses.fields(section):
            assert f.name in d, f"{section.KEY}.{camel(f.name)} has no default"
            assert f.metadata["check"](d[f.name]) == d[f.name], f"{section.KEY}.{camel(f.name)}: its {env} default fails its own check"


@pytest.mark.parametrize("stack", stack_names())
def test_stack_files_carry_only_what_differs_from_the_defaults(stack):
    config = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    env = config.get(f"{PROJECT}:environment", "dev")
    by_key = {s.KEY: s for s in ALL_SECTIONS}
    same = []
    for key, value in config.items():
        if key.startswith(f"{PROJECT}:") and isinstance(value, dict):
            section = by_key[key.split(":", 1)[1]]
            fields = {camel(f.name): f for f in dataclasses.fields(section)}
            defaults = section.defaults(env)
            same += [f"{key}.{k}" for k, v in value.items() if fields[k].metadata["check"](v) == defaults[fields[k].name]]
    assert same == [], f"Pulumi.{stack}.yaml restates {env} defaults"


def _defaulted(cls) -> set[str]:
    return {f.name for f in dataclasses.fields(cls) if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING}


def test_the_clouds_args_do_not_restate_the_settings_defaults():
    """Every value the settings decide is passed explicitly: a default here would be a second home."""
    from clouds.aws.database import DatabaseArgs
    from clouds.aws.eks import EksArgs
    from clouds.aws.network import NetworkArgs
    from clouds.azure.aks import AksArgs
    from clouds.azure.network import NetworkArgs as AzureNetworkArgs
    from clouds.gcp.database import DatabaseArgs as CloudSqlArgs
    from clouds.gcp.gke import GkeArgs
    from clouds.gcp.network import NetworkArgs as GcpNetworkArgs

    assert _defaulted(EksArgs) == {"node_labels", "spot"}  # neither is a setting: no labels, no Spot group
    for cls in (DatabaseArgs, NetworkArgs, AksArgs, AzureNetworkArgs, CloudSqlArgs, GkeArgs, GcpNetworkArgs):
        assert _defaulted(cls) == set(), cls.__qualname__


def test_enums_are_checked_on_the_field():
    """RDS Enhanced Monitoring takes 0, 1, 5, 10, 15, 30 or 60 s: the field refuses 7 itself."""
    from clouds.aws.settings import AwsSettings

    check = {f.name: f for f in dataclasses.fields(AwsSettings)}["db_monitoring_interval"].metadata["check"]
    assert check(60) == 60
    with pytest.raises(checks.Invalid, match="one of 0, 1, 5, 10, 15, 30, 60"):
        check(7)

