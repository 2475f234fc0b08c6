"""A local Microsoft Graph v1.0 + Entra ID stand-in that the real msal and msgraph-sdk
clients talk to over HTTPS. Public API: ``slotguard.sim.server.SimServer`` and
``slotguard.sim.faults.FaultOptions``."""
