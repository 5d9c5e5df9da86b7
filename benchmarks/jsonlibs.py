"""Loading a snapshot file with the standard library's json, orjson and msgspec (into dicts,
and into typed structures of a reduced pod shape), streamed or whole: time and peak memory.

    python benchmarks/jsonlibs.py SNAPSHOT [SNAPSHOT...] [--repeat 3] [--only a,b]
    python benchmarks/jsonlibs.py SNAPSHOT --variant NAME      one load, in this process

Each variant runs as its own process (measured from benchmarks/spawner.py: wall, CPU time
user + system, peak RSS), `--repeat` times, alternating, with Python's cyclic GC paused as
upgradecheck pauses it; medians are printed as a Markdown table. Every variant reads the
gzip file and decompresses it, then:

- `gunzip`: nothing more (the floor every variant pays);
- `json`, `orjson`, `msgspec`: the whole document into dicts and lists;
- `msgspec-typed`: each object's envelope (ref, evidence) into Structs, its body kept raw,
  then pod and workload bodies decoded into Structs of the fields the checks read
  (benchmarks/fieldtrace.py), other bodies into dicts;
- `json-stream`: the stdlib decoder walked over the decompressed stream one object at a
  time (`raw_decode`), so the document's text is never whole in memory;
- `read_snapshot`: what `assess` does today (upgradecheck.snapshot_io.read_snapshot: json,
  then the model's dataclasses).

orjson and msgspec are not upgradecheck dependencies: install them to run their variants.
"""


import argparse
import gc
import gzip
import json
import statistics
import sys
import tempfile
import zlib
from pathlib import Path
from typing import Any

import spawner

HERE = Path(__file__).resolve().parent
VARIANTS = ("gunzip", "json", "orjson", "msgspec", "msgspec-typed", "json-stream",
            "read_snapshot")


def _raw(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes())


def _count(doc: Any) -> int:
    objects = doc["objects"] if isinstance(doc, dict) else doc.objects
    return len(objects)


def load_json(path: Path) -> int:
    return _count(json.loads(_raw(path)))


def load_orjson(path: Path) -> int:
    import orjson

    return _count(orjson.loads(_raw(path)))


def load_msgspec(path: Path) -> int:
    import msgspec

    return _count(msgspec.json.decode(_raw(path)))


def load_msgspec_typed(path: Path) -> int:
    import msgspec
    from msgspec import Raw, Struct, field

    class OwnerRef(Struct):
        apiVersion: str = ""
        kind: str = ""
        name: str = ""
        controller: bool = False

    class Meta(Struct):
        name: str = ""
        namespace: str | None = None
        uid: str = ""
        labels: dict[str, str] = field(default_factory=dict)
        annotations: dict[str, str] = field(default_factory=dict)
        ownerReferences: list[OwnerRef] = field(default_factory=list)

    class Container(Struct):
        name: str = ""
        image: str = ""
        ports: list[dict[str, Any]] = field(default_factory=list)
        readinessProbe: dict[str, Any] | None = None
        resources: dict[str, Any] = field(default_factory=dict)
        command: list[str] = field(default_factory=list)
        args: list[str] = field(default_factory=list)

    class Volume(Struct):
        name: str = ""
        emptyDir: dict[str, Any] | None = None
        hostPath: dict[str, Any] | None = None
        persistentVolumeClaim: dict[str, Any] | None = None
        flexVolume: dict[str, Any] | None = None
        awsElasticBlockStore: dict[str, Any] | None = None
        gcePersistentDisk: dict[str, Any] | None = None
        azureDisk: dict[str, Any] | None = None
        azureFile: dict[str, Any] | None = None
        cinder: dict[str, Any] | None = None
        vsphereVolume: dict[str, Any] | None = None
        gitRepo: dict[str, Any] | None = None

    class PodSpec(Struct):
        containers: list[Container] = field(default_factory=list)
        initContainers: list[Container] = field(default_factory=list)
        volumes: list[Volume] = field(default_factory=list)
        nodeName: str = ""

    class ContainerStatus(Struct):
        name: str = ""
        restartCount: int = 0
        state: dict[str, Any] = field(default_factory=dict)
        lastState: dict[str, Any] = field(default_factory=dict)

    class PodStatus(Struct):
        phase: str = ""
        containerStatuses: list[ContainerStatus] = field(default_factory=list)
        initContainerStatuses: list[ContainerStatus] = field(default_factory=list)

    class Pod(Struct):
        metadata: Meta = field(default_factory=Meta)
        spec: PodSpec = field(default_factory=PodSpec)
        status: PodStatus = field(default_factory=PodStatus)

    class Template(Struct):
        metadata: Meta = field(default_factory=Meta)
        spec: PodSpec = field(default_factory=PodSpec)

    class WorkloadSpec(Struct):
        replicas: int | None = None
        selector: dict[str, Any] | None = None
        template: Template | None = None

    class WorkloadStatus(Struct):
        replicas: int | None = None
        readyReplicas: int | None = None
        numberReady: int | None = None
        desiredNumberScheduled: int | None = None

    class Workload(Struct):
        metadata: Meta = field(default_factory=Meta)
        spec: WorkloadSpec = field(default_factory=WorkloadSpec)
        status: WorkloadStatus = field(default_factory=WorkloadStatus)

    class Evidence(Struct):
        source: str
        location: str
        api_version: str
        detail: str = ""
        time: str | None = None

    class Entry(Struct):
        apiVersion: str
        kind: str
        name: str
        namespace: str | None = None
        evidence: list[Evidence] = field(default_factory=list)
        body: Raw = Raw(b"{}")

    class Document(Struct):
        schema: str
        objects: list[Entry] = field(default_factory=list)

    typed = {"Pod": Pod, **{k: Workload for k in ("ReplicaSet", "Deployment", "StatefulSet",
                                                    "DaemonSet", "Job")}}
    doc = msgspec.json.decode(_raw(path), type=Document)
    decoders = {kind: msgspec.json.Decoder(shape) for kind, shape in typed.items()}
    plain = msgspec.json.Decoder()
    bodies = [decoders.get(e.kind, plain).decode(e.body) for e in doc.objects]
    for entry in doc.objects:
        entry.body = Raw(b"{}")  # the raw text goes with the last reference to it
    return len(bodies)


def load_json_stream(path: Path) -> int:
    """The stdlib decoder over the decompressed stream: the head, then one object at a time
    from the `objects` array, then the tail; never the whole text at once."""
    decoder = json.JSONDecoder()
    objects: list[Any] = []
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        buffer = ""
        while '"objects":[' not in buffer:
            chunk = stream.read(1 << 20)
            if not chunk:
                raise ValueError("no objects array")
            buffer += chunk
        buffer = buffer[buffer.index('"objects":[') + len('"objects":['):]
        at = 0
        while True:
            while at < len(buffer) and buffer[at] in " ,\n":
                at += 1
            if at < len(buffer) and buffer[at] == "]":
                break
            try:
                obj, end = decoder.raw_decode(buffer, at)
            except json.JSONDecodeError:
                chunk = stream.read(1 << 20)
                if not chunk:
                    raise
                buffer = buffer[at:] + chunk
                at = 0
                continue
            objects.append(obj)
            at = end
            if at > 1 << 20:
                buffer, at = buffer[at:], 0
        # the rest (Helm releases, nodes after the objects) is small
        tail = buffer[at + 1:] + stream.read()
        json.loads("{" + tail.lstrip(","))
    return len(objects)


def load_read_snapshot(path: Path) -> int:
    from upgradecheck.snapshot_io import read_snapshot

    return len(read_snapshot(path).objects)


LOADERS = {"gunzip": lambda p: len(_raw(p)), "json": load_json, "orjson": load_orjson,
           "msgspec": load_msgspec, "msgspec-typed": load_msgspec_typed,
           "json-stream": load_json_stream, "read_snapshot": load_read_snapshot}


def measure_all(files: list[Path], variants: list[str], repeat: int) -> list[str]:
    lines = ["| input | variant | wall | CPU (user + sys) | peak RSS | objects |",
             "|---|---|---|---|---|---|"]
    out = Path(tempfile.mkdtemp(prefix="jsonlibs-"))
    for path in files:
        runs: dict[str, list[dict[str, Any]]] = {v: [] for v in variants}
        for i in range(repeat):
            for variant in variants:
                cmd = [sys.executable, str(HERE / "jsonlibs.py"), str(path), "--variant",
                       variant]
                got: dict[str, Any] = spawner.run(cmd, str(out / f"{variant}-{i}.out"),
                                                  str(out / f"{variant}-{i}.err"))
                if got["code"] != 0:
                    tail = (out / f"{variant}-{i}.err").read_text()[-500:]
                    raise RuntimeError(f"{variant} on {path} failed: {tail}")
                got["objects"] = json.loads((out / f"{variant}-{i}.out").read_text())
                runs[variant].append(got)
                print(f"  {path.name} {variant} [{i + 1}]: {got['wall']:.2f} s, "
                      f"{got['cpu']:.2f} s CPU, {got['maxrss_kb'] / 1024:.0f} MiB",
                      file=sys.stderr, flush=True)
        size = f"{path.name} ({path.stat().st_size / 2**20:.0f} MiB gz)"
        for variant, done in runs.items():
            cpus = [g["cpu"] for g in done]
            lines.append(
                f"| {size} | {variant} | {statistics.median(g['wall'] for g in done):.2f} s "
                f"| {statistics.median(cpus):.2f} s ({min(cpus):.2f} to {max(cpus):.2f}) "
                f"| {statistics.median(g['maxrss_kb'] for g in done) / 1024:.0f} MiB "
                f"| {done[-1]['objects']:,} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("snapshots", type=Path, nargs="+")
    parser.add_argument("--variant", choices=VARIANTS)
    parser.add_argument("--only", default=",".join(VARIANTS))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if args.variant:
        gc.disable()
        try:
            print(json.dumps(LOADERS[args.variant](args.snapshots[0])))
        except (OSError, ValueError, zlib.error) as exc:
            print(f"{args.variant}: {exc}", file=sys.stderr)
            return 1
        return 0
    variants = [v for v in args.only.split(",") if v in VARIANTS]
    print("\n".join(measure_all(args.snapshots, variants, args.repeat)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
