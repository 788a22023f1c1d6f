from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_ic, name="login"),
    path("login/password/", views.login_password, name="login_password"),
    path("login/second-factor/", views.second_factor, name="second_factor"),
    path("logout/", views.logout_view, name="logout"),
    path("signup/", views.signup, name="signup"),
    path("signup/otp/", views.signup_otp, name="signup_otp"),
    path("signup/done/", views.signup_done, name="signup_done"),
    path("activate/<str:token>/", views.activate, name="activate"),
    path("forgot-password/", views.forgot_password, name="forgot_password"),
    path("forgot-password/sent/", views.forgot_password_sent, name="forgot_password_sent"),
    path("reset-password/<str:token>/", views.reset_password, name="reset_password"),
    path("mode/", views.mode, name="mode"),
    path("settings/", views.account_settings, name="settings"),
    path("settings/mobile/otp/", views.settings_mobile_otp, name="settings_mobile_otp"),
    path("confirm-email/<str:token>/", views.confirm_email, name="confirm_email"),
    path("staff/", views.staff_home, name="staff_home"),
]
