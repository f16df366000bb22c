from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "apps.realtime"

    def ready(self) -> None:
        from apps.realtime.transport.autobahn_patch import format_autobahn_debug_lines_only_when_debugging

        format_autobahn_debug_lines_only_when_debugging()
