from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"

    def ready(self) -> None:
        from django.core.signals import request_finished

        from apps.core.observability import context, errors

        errors.configure()
        # Infrastructure, not business logic: a request's log ids end with its response.
        request_finished.connect(context.clear, dispatch_uid="mm-log-context-clear")
