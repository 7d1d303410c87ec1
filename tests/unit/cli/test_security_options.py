"""`openswf server` security options that need no running server."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from openswf.cli.main import main
from openswf.server.access import AccessGuard
from openswf.server.run import Refused, check_exposure, is_loopback


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_loopback_addresses(host: str) -> None:
    assert is_loopback(host)
    check_exposure(host, None, insecure=False)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.5", "192.168.1.2", "example.com"])
def test_other_addresses_need_keys_or_insecure(host: str) -> None:
    assert not is_loopback(host)
    with pytest.raises(Refused, match="--insecure"):
        check_exposure(host, None, insecure=False)
    check_exposure(host, None, insecure=True)
    check_exposure(host, AccessGuard([]), insecure=False)


def test_tls_cert_needs_its_key(tmp_path: Path) -> None:
    cert = tmp_path / "cert.pem"
    cert.write_text("not checked before the pair is complete")
    result = CliRunner().invoke(main, ["server", "--tls-cert", str(cert)])
    assert result.exit_code == 2
    assert "--tls-cert and --tls-key go together" in result.output


def test_access_keys_file_must_exist(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["server", "--access-keys", str(tmp_path / "nope.toml")])
    assert result.exit_code == 2
    assert "cannot read access keys" in result.output


def test_token_key_file_needs_a_key(tmp_path: Path) -> None:
    keys = tmp_path / "token-keys"
    keys.write_text("# only a comment\n\n")
    result = CliRunner().invoke(main, ["server", "--token-key-file", str(keys)])
    assert result.exit_code == 2
    assert "holds no key" in result.output
