from django.shortcuts import render


def home(request):
    """The network's storefront home page, branded with its name and accent colour."""
    return render(request, "storefront/home.html")
