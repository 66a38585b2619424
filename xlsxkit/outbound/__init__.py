"""Outbound: what goes to the partners. The batch of workbooks and its manifest."""
