"""The department's calendar (spec 4d): its jobs, and running what is due once per period."""
