"""BANTIN_* environment variables an admin gets wrong: a config path that is not there, a misspelt name."""

from __future__ import annotations

import pytest

from news.config import ConfigError, load_config


def test_a_missing_file_named_by_bantin_config_says_so(tmp_path):
    """It said only "file not found", and the admin looked for a -c option they had not given."""
    missing = tmp_path / "khong-co.toml"
    with pytest.raises(ConfigError) as err:
        load_config(env={"BANTIN_CONFIG": str(missing)})
    assert str(err.value) == f"{missing}: file not found (named by BANTIN_CONFIG)"
