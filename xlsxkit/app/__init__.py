"""Jobs end to end, composed from the stages below: the import job and the demo. The CLI
calls one function here (or in a stage) per command."""
