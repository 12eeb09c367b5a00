"""The offline plan: run the real program under Pulumi's mock runtime and write what it would do.

`python -m offline_plan <stack>` (what `make plan` runs) and the tests share every piece:
stack config loading (stack_config.py), realistic mock outputs (mocks.py), the recording
monitor (monitor.py), the runner (runner.py) and the writers (plan_json.py, manifests.py,
diagram.py, preview.py); the policy pack (policy/offline.py) runs over the registrations.
"""
