def test_front_page_welcomes_visitors(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "A calm place for life with lupus" in response.get_data(as_text=True)


def test_member_signs_in_and_sees_their_name(auth, client):
    auth.sign_in_as(display_name="Maya")
    assert "How are you today, Maya?" in client.get("/").get_data(as_text=True)
