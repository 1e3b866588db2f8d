"""Addresses and header text in the config are checked when it loads, not when they are first used."""

from __future__ import annotations

import pytest

from news.config import ConfigError, parse_config


@pytest.mark.parametrize(
    ("toml", "key", "reason"),
    [
        # every abstractive summary failed quietly (UnsupportedProtocol) and the extractive one was used
        (
            "[summaries]\nllm_base_url = 'ftp://llm.example.vn/v1'\nllm_model = 'm'",
            "summaries.llm_base_url",
            "http://",
        ),
        (
            "[summaries]\nllm_base_url = 'localhost:8000/v1'\nllm_model = 'm'",
            "summaries.llm_base_url",
            "http://",
        ),
        # one without the other: extractive only, without a word
        (
            "[summaries]\nllm_base_url = 'http://127.0.0.1:8000/v1'",
            "summaries.llm_model",
            "llm_base_url is set",
        ),
        ("[summaries]\nllm_model = 'qwen2.5'", "summaries.llm_base_url", "llm_model is set"),
        # the key itself pasted where its variable's name goes: sent nowhere, and now in the file
        (
            "[summaries]\nllm_api_key_env = 'sk-9f2c7a41'",
            "summaries.llm_api_key_env",
            "name of an environment",
        ),
        (
            "[summaries]\nllm_api_key_env = '$BANTIN_LLM_API_KEY'",
            "summaries.llm_api_key_env",
            "without the $",
        ),
        ("[summaries]\nllm_api_key_env = 'MY KEY'", "summaries.llm_api_key_env", "name of an environment"),
        # every fetch failed: a header value cannot hold a line break
        ('[fetch]\nuser_agent = "bantin\\nX-Evil: 1"', "fetch.user_agent", "one line"),
        ("[fetch]\nuser_agent = 'bản tin'", "fetch.user_agent", "ASCII"),
        # `bantin run` said it could not reach the Bot API
        ("[telegram]\nbase_url = 'https://'", "telegram.base_url", "host"),
    ],
)
def test_an_address_or_header_that_cannot_work(toml: str, key: str, reason: str):
    with pytest.raises(ConfigError) as err:
        parse_config(toml, "conf.toml", env={})
    assert err.value.key == key
    assert reason in err.value.reason


@pytest.mark.parametrize("name", ["", "OPENAI_API_KEY", "_key2"])
def test_an_api_key_variable_name_or_none(name: str):
    toml = f"[summaries]\nllm_api_key_env = '{name}'\n"
    assert parse_config(toml, "conf.toml", env={}).summaries.llm_api_key_env == name


def test_an_openai_compatible_endpoint_that_works():
    toml = "[summaries]\nllm_base_url = 'http://127.0.0.1:8000/v1'\nllm_model = 'qwen2.5'\n"
    assert parse_config(toml, "conf.toml", env={}).summaries.llm_model == "qwen2.5"
