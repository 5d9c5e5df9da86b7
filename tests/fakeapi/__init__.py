"""A fake Kubernetes API server and fixture clusters, for upgradecheck's tests.

Start a fixture cluster, point a client at it, inject faults, read the request log::

    from tests.fakeapi import FakeApiServer

    with FakeApiServer("v1.21") as api:              # tests/fixtures/clusters/v1.21
        kubeconfig = api.write_kubeconfig(tmp_path / "kubeconfig")
        api.faults.forbid("/api/v1/secrets")
        ...
        assert api.methods() == {"GET"}

See ``server`` (the server and faults), ``fixtures`` (loading and generating clusters),
``helm`` (Helm v3 release records), ``kubeconfig``, ``tls`` (server and client
certificates), ``silent`` (a port that never answers) and ``plugin`` (pytest fixtures).
"""

from .fixtures import (
    SENTINEL,
    SENTINEL_FORMS,
    Cluster,
    FixtureError,
    cluster_names,
    generate_cluster,
    load_cluster,
)
from .helm import HelmRelease, decode_record, decode_release, encode_release
from .kubeconfig import write_kubeconfig
from .server import DEFAULT_TOKEN, FakeApiServer, Fault, Faults, RecordedRequest
from .silent import SilentServer
from .tls import (
    ClientCertificate,
    TlsMaterial,
    make_client_certificate,
    make_tls_material,
    shared_tls_material,
)

__all__ = [
    "DEFAULT_TOKEN",
    "SENTINEL",
    "SENTINEL_FORMS",
    "ClientCertificate",
    "Cluster",
    "FakeApiServer",
    "Fault",
    "Faults",
    "FixtureError",
    "HelmRelease",
    "RecordedRequest",
    "SilentServer",
    "TlsMaterial",
    "cluster_names",
    "decode_record",
    "decode_release",
    "encode_release",
    "generate_cluster",
    "load_cluster",
    "make_client_certificate",
    "make_tls_material",
    "shared_tls_material",
    "write_kubeconfig",
]
