"""Running the watcher unattended: the systemd unit (systemd) and the Windows scheduled task
(windows) that start it at boot, stopping it gracefully on a signal (stopping), its rotating log
file (log), and the health check monitoring scripts call (health).

May import: every stage package before it and the foundation modules.
"""
