# Does PyTorch 1.13's own Histogram calibration of the zoo networks depend on which float kernels it runs? Run as
# `/usr/bin/python3 histogram_backends.py > histogram_backends.txt` in this folder (a few minutes on two cores).
#
# For each network (the committed weights, the fixture's calibration images and batches, engine qnnpack), recalibrate.py
# is run under one setting at a time: the default (oneDNN's AVX-512 kernels on the machine that made the fixtures),
# oneDNN capped at AVX2, AVX512_CORE and SSE4.1 (DNNL_MAX_CPU_ISA: what it runs on CPUs that have no more), ATen's
# vectorized kernels off (ATEN_CPU_CAPABILITY=default), oneDNN off (ATen's own slow_conv2d + BLAS), and the images
# times 1 ± 1e-7. Printed: the observers whose qparams differ from the committed fixture's, and how far the resulting
# int8 model is from the fixture's int8 model (output steps on the 64 probes, logits more than one step off, argmax
# differences, MNIST top-1).
import json, os, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = {"mnv3_small": "mnv3_small.json", "encoder_decoder": "encoder_decoder.json",
            "row_conv_net": "../../QuantGen.Tests/Fixtures/row_conv_net.json"}
SETTINGS = [("default", {}), ("DNNL_MAX_CPU_ISA=AVX512_CORE", {"DNNL_MAX_CPU_ISA": "AVX512_CORE"}),
            ("DNNL_MAX_CPU_ISA=AVX2", {"DNNL_MAX_CPU_ISA": "AVX2"}), ("DNNL_MAX_CPU_ISA=SSE41", {"DNNL_MAX_CPU_ISA": "SSE41"}),
            ("ATEN_CPU_CAPABILITY=default", {"ATEN_CPU_CAPABILITY": "default"}), ("mkldnn disabled", {"NO_MKLDNN": "1"}),
            ("images x (1 + 1e-7)", {"INPUT_SCALE": repr(1 + 1e-7)}), ("images x (1 - 1e-7)", {"INPUT_SCALE": repr(1 - 1e-7)})]

for net, fixture in FIXTURES.items():
    truth = json.load(open(os.path.join(HERE, fixture)))["configs"]["histogram_per_channel"]
    truth = truth.get("observers") or truth["layers"]
    print(f"== {net}")
    for label, env in SETTINGS:
        lines = subprocess.run([sys.executable, os.path.join(HERE, "recalibrate.py"), net], env={**os.environ, **env, "INT8": "1"},
                               capture_output=True, text=True, check=True).stdout.strip().splitlines()
        observers, int8 = json.loads(lines[-2]), json.loads(lines[-1])
        differ = [f"{k} {v[0]:.7g}/{v[1]} (fixture {truth[k]['scale']:.7g}/{truth[k]['zero_point']})" for k, v in observers.items()
                  if k in truth and (v[0] != float(truth[k]["scale"]) or v[1] != truth[k]["zero_point"])]
        print(f"{label:30s} int8 vs fixture: max {int8['max_steps_from_fixture']:.0f} steps, {int8['logits_over_one_step']:3d}/640 logits > 1 step, "
              f"{int8['argmax_differs']} argmax differ, top-1 {int8['int8_top1']:.2f} (fixture {int8['fixture_top1']:.2f}); "
              f"{len(differ)}/{len(observers)} observers differ: {', '.join(differ)}", flush=True)
