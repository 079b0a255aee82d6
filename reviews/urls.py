from django.urls import path

from aims.plugins import urlpatterns_for

from . import board_pack, standard

urlpatterns = [
    *urlpatterns_for(standard),
    path("board-pack/", board_pack.board_pack_start, name="board-pack"),
]
