"""REST API v1 for the company directory (vendors), with each company's insurance (read-only here).

Writes go through ``apps.companies.services`` with ``actor=request.user``. The ERP Company ID links
a company to a Sage vendor; it is set by the ERP link, never through this API.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.erp.item_types import ItemType
from apps.access.rules import Operation, Resource
from apps.companies.models import Company, CompanyInsurance
from apps.companies.selectors import company_list
from apps.companies.services import (
    COMPANY_EDITABLE_FIELDS,
    company_archive,
    company_create,
    company_delete,
    company_unarchive,
    company_update,
)
from apps.access.api import HubViewSetMixin
from apps.erp.api import ErpActionsMixin, ErpStateField

ERP_READ_ONLY = ("erp_company_id", "erp_inactive", "is_archived", "erp_status", "erp_synced_at")


@extend_schema_serializer(component_name="CompanyInsurance")
class CompanyInsuranceSerializer(serializers.ModelSerializer):
    class Meta:
        model = CompanyInsurance
        fields = (
            "insurance_type",
            "policy_number",
            "insurance_provider",
            "limit_amount",
            "effective_date",
            "expiration_date",
            "imported_from_erp",
        )
        read_only_fields = fields


@extend_schema_serializer(component_name="Company")
class CompanySerializer(serializers.ModelSerializer):
    erp = ErpStateField(ItemType.COMPANY)
    insurances = CompanyInsuranceSerializer(many=True, read_only=True)

    class Meta:
        model = Company
        fields = ("id", *COMPANY_EDITABLE_FIELDS, *ERP_READ_ONLY, "erp", "insurances", "created_at", "updated_at")
        read_only_fields = ("id", *ERP_READ_ONLY, "insurances", "created_at", "updated_at")


class CompanyFilter(filters.FilterSet):
    erp_linked = filters.BooleanFilter(method="filter_erp_linked", label="Linked to a Sage vendor (has an ERP Company ID)")
    erp_company_id = filters.CharFilter(field_name="erp_company_id", lookup_expr="iexact")
    erp_vendor_type = filters.CharFilter(field_name="erp_vendor_type", lookup_expr="iexact")

    class Meta:
        model = Company
        fields = ("is_archived", "erp_linked", "erp_inactive", "erp_company_id", "erp_vendor_type")

    def filter_erp_linked(self, queryset, name, value):
        return queryset.filter(erp_company_id__isnull=not value)


class CompanyViewSet(ErpActionsMixin, HubViewSetMixin, viewsets.ModelViewSet):
    """The company directory."""

    rule_resource = Resource.COMPANY
    rule_operations = {"archive": Operation.ARCHIVE, "unarchive": Operation.ARCHIVE}
    erp_item_type = ItemType.COMPANY
    queryset_model = Company
    serializer_class = CompanySerializer
    filterset_class = CompanyFilter
    search_fields = ("name", "erp_company_id", "city", "email")
    ordering_fields = ("name", "city", "erp_company_id", "created_at", "updated_at")

    def scoped_queryset(self, user):
        return company_list(user=user).prefetch_related(
            Prefetch("insurances", queryset=CompanyInsurance.objects.order_by("insurance_type"))
        )

    def _output(self, company: Company) -> dict:
        return self.get_serializer(self.scoped_queryset(None).get(pk=company.pk)).data

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        company = company_create(**serializer.validated_data, actor=request.user)
        return Response(self._output(company), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        with transaction.atomic():
            company = self.locked_object()
            serializer = self.get_serializer(company, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            company = company_update(company=company, data=serializer.validated_data, actor=request.user)
        return Response(self._output(company))

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            company_delete(company=self.locked_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=CompanySerializer, summary="Archive a company")
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        with transaction.atomic():
            company = company_archive(company=self.locked_object(), actor=request.user)
        return Response(self._output(company))

    @extend_schema(request=None, responses=CompanySerializer, summary="Unarchive a company")
    @action(detail=True, methods=["post"])
    def unarchive(self, request, pk=None):
        with transaction.atomic():
            company = company_unarchive(company=self.locked_object(), actor=request.user)
        return Response(self._output(company))


def register(router) -> None:
    router.register("companies", CompanyViewSet, basename="company")
