"""Django's password rules with messages that say what to do next, in the app's friendly tone
(Django's own Korean is formal and only says what is wrong). Settings list these classes."""

from django.contrib.auth import password_validation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class SimilarToAccountRule(password_validation.UserAttributeSimilarityValidator):
    def get_error_message(self):
        return _("This password is too close to your e-mail address. Choose one that has nothing to do with it.")


class MinimumLengthRule(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return ngettext(
            "This password is too short. Use at least %(n)d character.",
            "This password is too short. Use at least %(n)d characters.",
            self.min_length,
        ) % {"n": self.min_length}


class CommonPasswordRule(password_validation.CommonPasswordValidator):
    def get_error_message(self):
        return _("Many people use this password. Choose one that is harder to guess, such as three unrelated words.")


class NotOnlyDigitsRule(password_validation.NumericPasswordValidator):
    def get_error_message(self):
        return _("This password is only digits. Add some letters to it.")
