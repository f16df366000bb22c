"""The static checks of deploy/check_deploy.py, one module per subject.

`common` holds the paths, the value sets and the list of findings every check appends to;
`chart` lints and renders, `schemas` validates objects, `shape` asserts the chart's
structure, `ops` its operations wiring, `bad_input` the chart's refusals, `terraform` the
HCL.
"""
