"""The data-platform CrossGuard policy pack.

`rules/` holds the policies as pure functions over resources (type, inputs, options); two thin
drivers run them: `crossguard.py` for the Pulumi CLI (`pulumi preview --policy-pack policy`)
and `offline.py` for the offline plan, over the recorded registrations. One set of rules, two
runners, so the offline plan and the CLI can't disagree.
"""
