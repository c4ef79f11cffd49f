from django.contrib.auth.backends import ModelBackend

from lifecircle.core.errors import ApplicationError


class UsernameOrMobileBackend(ModelBackend):
    """``django.contrib.auth.authenticate`` (the admin's login form) by username or mobile
    number, through the same throttled check as the web and API sign-in."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        from lifecircle.accounts.services.users import user_authenticate
        from lifecircle.core.http import client_ip

        if not username or password is None:
            return None
        try:
            user = user_authenticate(
                identifier=username, password=password, ip=client_ip(request) if request else None
            )
        except ApplicationError:
            return None
        return user if self.user_can_authenticate(user) else None
