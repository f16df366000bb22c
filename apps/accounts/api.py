from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import photos as account_photos
from apps.accounts import privacy, services
from apps.accounts.errors import ErrorCode
from apps.accounts.models import Gender, Profile, Region, SeekingChoice, University
from apps.accounts.selectors import interest_list, profile_for_user, profile_public_card, user_roles, user_social_access_problem
from apps.core.errors import DomainError


class ProfileApi(APIView):
    class InputSerializer(serializers.Serializer):
        nickname = serializers.CharField(max_length=20)
        gender = serializers.ChoiceField(choices=Gender.choices)
        seeking = serializers.ChoiceField(choices=SeekingChoice.choices)
        birth_date = serializers.DateField()
        university_id = serializers.IntegerField(min_value=1)
        region = serializers.ChoiceField(choices=Region.choices)
        interest_ids = serializers.ListField(
            child=serializers.IntegerField(min_value=1), max_length=50, required=False, default=list
        )
        bio = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    class OutputSerializer(serializers.Serializer):
        user_id = serializers.IntegerField()
        nickname = serializers.CharField()
        gender = serializers.CharField()
        seeking = serializers.CharField()
        birth_date = serializers.DateField()
        university_id = serializers.IntegerField()
        university_verified = serializers.BooleanField(source="is_university_verified")
        region = serializers.CharField()
        interest_ids = serializers.SerializerMethodField()
        bio = serializers.CharField()
        photo_status = serializers.CharField()
        can_use_social_features = serializers.SerializerMethodField()

        def get_interest_ids(self, profile) -> list[int]:
            return [interest.pk for interest in profile.interests.all()]

        def get_can_use_social_features(self, profile) -> bool:
            return user_social_access_problem(user=profile.user) is None

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        profile = profile_for_user(user=request.user)
        if profile is None:
            raise DomainError(ErrorCode.PROFILE_INCOMPLETE, "Complete your profile first.", http_status=404)
        return Response(self.OutputSerializer(profile).data)

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def put(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        profile = services.profile_save(user=request.user, **serializer.validated_data)
        return Response(self.OutputSerializer(profile).data)


class ProfilePhotoApi(APIView):
    parser_classes = [MultiPartParser]

    class InputSerializer(serializers.Serializer):
        photo = serializers.FileField()

    @extend_schema(request={"multipart/form-data": InputSerializer}, responses={201: ProfileApi.OutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        profile = account_photos.profile_photo_set(user=request.user, upload=serializer.validated_data["photo"])
        return Response(ProfileApi.OutputSerializer(profile).data, status=201)


class PublicProfileApi(APIView):
    class OutputSerializer(serializers.Serializer):
        """`selectors.profile_public_card`: never e-mail, birth date or exact age."""

        user_id = serializers.IntegerField()
        nickname = serializers.CharField()
        gender = serializers.CharField()
        university = serializers.CharField()
        university_verified = serializers.BooleanField()
        region = serializers.CharField()
        interests = serializers.ListField(child=serializers.CharField())
        bio = serializers.CharField(allow_blank=True)
        photo_url = serializers.CharField(allow_null=True)

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request, user_id: int) -> Response:
        profile = get_object_or_404(Profile.objects.select_related("university").prefetch_related("interests"), user_id=user_id)
        return Response(profile_public_card(profile=profile, viewer=request.user))


class UniversityListApi(APIView):
    permission_classes = [AllowAny]

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name_ko = serializers.CharField()
        name_en = serializers.CharField()
        region = serializers.CharField()

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(University.objects.all(), many=True).data)


class InterestListApi(APIView):
    permission_classes = [AllowAny]

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        slug = serializers.CharField()
        name_ko = serializers.CharField()
        name_en = serializers.CharField()

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(interest_list(), many=True).data)


class MeApi(APIView):
    """Who the request is authenticated as (session or bearer token), with the roles held."""

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        email = serializers.EmailField()
        roles = serializers.ListField(child=serializers.CharField())
        single_sign_on = serializers.BooleanField()

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        user = request.user
        data = {"id": user.pk, "email": user.email, "roles": user_roles(user=user), "single_sign_on": bool(user.oidc_sub)}
        return Response(self.OutputSerializer(data).data)


class AccountExportApi(APIView):
    @extend_schema(
        responses={(200, "application/json"): OpenApiTypes.OBJECT},
        description="Everything stored about the user, as a JSON download.",
    )
    def get(self, request: Request) -> JsonResponse:
        response = JsonResponse(privacy.account_export(user=request.user), json_dumps_params={"ensure_ascii": False, "indent": 2})
        response["Content-Disposition"] = 'attachment; filename="matchminds-export.json"'
        return response


class AccountDeleteApi(APIView):
    class InputSerializer(serializers.Serializer):
        password = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        privacy.account_delete(user=request.user, password=serializer.validated_data["password"])
        return Response(status=204)
